import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerSizeMismatchError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Content had a different length than its descriptor announced (truncated or padded blob). */
export class SizeMismatchError extends MetalayerError {
  private readonly [symbol] = true;
  /** What was checked, e.g. a blob path or URL. */
  readonly subject: string;
  readonly expected: number;
  readonly actual: number;

  constructor({
    subject,
    expected,
    actual,
    message,
    cause,
    hint,
  }: {
    subject: string;
    expected: number;
    actual: number;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message: message ?? `${subject}: size mismatch: expected ${expected} bytes, got ${actual}${actual > expected ? ' or more' : ''}`,
      cause,
      hint,
    });
    this.subject = subject;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is SizeMismatchError {
    return MetalayerError.hasMarker(error, marker);
  }
}
