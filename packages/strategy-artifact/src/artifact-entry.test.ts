import fc from 'fast-check';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { describe, expect, it } from 'vitest';
import { formatArtifactEntry, parseArtifactEntry, type ArtifactEntry } from './artifact-entry';

const enc = new TextEncoder();
/** A value as the entry can hold it: no line breaks, no leading/trailing blanks, not empty. */
const value = fc
  .string({ minLength: 1, maxLength: 40 })
  .map((s) => s.replace(/[\r\n]/g, ' ').trim())
  .filter((s) => s.length > 0);
const fileName = fc.stringMatching(/^[A-Za-z0-9+_-][A-Za-z0-9+_.-]{0,20}$/);

describe('artifact entry text', () => {
  it('round-trips every entry the strategy can write', () => {
    fc.assert(
      fc.property(
        fc.option(value, { nil: undefined }),
        fc.option(value, { nil: undefined }),
        value,
        fileName,
        fc.array(fileName, { maxLength: 4 }),
        (title, version, options, linux, initrds) => {
          const entry: ArtifactEntry = { title, version, options, linux, initrds };
          expect(parseArtifactEntry(enc.encode(formatArtifactEntry(entry)), 'test')).toEqual(entry);
        },
      ),
    );
  });

  it('accepts an entry without options or initrds', () => {
    expect(parseArtifactEntry(enc.encode('linux /vmlinuz\n'), 'test')).toEqual({
      title: undefined,
      version: undefined,
      options: '',
      linux: 'vmlinuz',
      initrds: [],
    });
  });

  it.each([
    ['title x\n', 'not a valid BLS type #1 entry'],
    ['linux /vmlinuz\nlinux /other\n', 'not a valid BLS type #1 entry'],
    ['linux /../vmlinuz\n', 'not a valid BLS type #1 entry'],
    ['linux vmlinuz\n', 'does not name a file of the artifact'],
    ['linux /vmlinuz\nefi /x.efi\n', 'has a "efi" line'],
    ['linux /vmlinuz\ninitrd /a/b\n', 'does not name a file of the artifact'],
  ])('refuses %j', (text, reason) => {
    let error: unknown;
    try {
      parseArtifactEntry(enc.encode(text), 'test');
    } catch (e) {
      error = e;
    }
    expect(PayloadFormatError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(reason);
  });
});
