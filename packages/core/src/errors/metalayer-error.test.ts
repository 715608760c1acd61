import { describe, expect, it } from 'vitest';
import { DigestMismatchError, InvalidArgumentError, LimitExceededError, MetalayerError } from './index';

describe('MetalayerError markers', () => {
  it('recognises its own classes and subclasses, and nothing else', () => {
    const mismatch = new DigestMismatchError({ subject: 'blob', expected: 'sha256:a', actual: 'sha256:b' });
    expect(MetalayerError.isInstance(mismatch)).toBe(true);
    expect(DigestMismatchError.isInstance(mismatch)).toBe(true);
    expect(InvalidArgumentError.isInstance(mismatch)).toBe(false);
    expect(MetalayerError.isInstance(new Error('plain'))).toBe(false);
    expect(MetalayerError.isInstance(null)).toBe(false);
    expect(mismatch.message).toBe('blob: digest mismatch: expected sha256:a, got sha256:b');
  });

  it('survives a second copy of the class (marker, not instanceof)', () => {
    // An object made by "another copy" of the package carries the same global symbol.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('metalayer.error')]: true });
    expect(MetalayerError.isInstance(foreign)).toBe(true);
  });

  it('keeps structured fields and the cause', () => {
    const cause = new Error('root');
    const e = new LimitExceededError({ limit: 'MAX_X', maximum: 10, actual: 11, subject: 'f', cause });
    expect(e.cause).toBe(cause);
    expect([e.limit, e.maximum, e.actual]).toEqual(['MAX_X', 10, 11]);
    expect(e.name).toBe('MetalayerLimitExceededError');
  });
});
