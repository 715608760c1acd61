import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  byteStringToBytes,
  byteStringToUtf8,
  bytesToByteString,
  compareByteStrings,
  isByteString,
  printableByteString,
  utf8ToByteString,
} from './byte-string';

describe('byte strings', () => {
  it('round-trip any bytes, of any length (chunk boundaries included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        const text = bytesToByteString(bytes);
        expect(isByteString(text)).toBe(true);
        expect(text.length).toBe(bytes.length);
        expect(byteStringToBytes(text)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('sort like strcmp on the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 12 }), (a, b) => {
        expect(compareByteStrings(bytesToByteString(a), bytesToByteString(b))).toBe(Math.sign(Buffer.compare(a, b)));
      }),
    );
  });

  it('encode and decode UTF-8, keeping invalid sequences visible', () => {
    expect(utf8ToByteString('é/ü')).toBe('\xc3\xa9/\xc3\xbc');
    expect(byteStringToUtf8('\xc3\xa9')).toBe('é');
    expect(byteStringToUtf8('\xff')).toBe('\ufffd');
    expect(printableByteString('a\\b\xff\n')).toBe('a\\x5cb\\xff\\x0a');
  });

  it('refuses strings that are not byte strings', () => {
    expect(isByteString('é')).toBe(true);
    expect(isByteString('€')).toBe(false);
    expect(() => byteStringToBytes('€')).toThrow(RangeError);
  });
});
