import { describe, expect, it } from 'vitest';
import { ComposefsArgError } from '../errors/index';
import {
  describeComposefsDigest,
  findComposefsArgs,
  formatComposefsArg,
  parseComposefsArg,
  sameComposefsDigest,
  setComposefsArgs,
} from './composefs-arg';

// Vectors from composefs-rs-semantics.md §6.
const SHA256 = '8b7df143d91c716ecfa5fc1730022f6b421b05cedee8fd52b1fc65a96030ad52';
const SHA512 = 'ab'.repeat(64);

describe('composefs kernel arguments', () => {
  it('parses the legacy form with the algorithm taken from the length', () => {
    expect(parseComposefsArg(`composefs=${SHA256}`)).toEqual({
      version: 'v2',
      algorithm: 'sha256',
      hex: SHA256,
      insecure: false,
      form: 'legacy',
    });
    expect(parseComposefsArg(`composefs=?${SHA512}`)).toEqual({
      version: 'v2',
      algorithm: 'sha512',
      hex: SHA512,
      insecure: true,
      form: 'legacy',
    });
  });

  it('parses composefs.digest= with version, algorithm and the insecure marker', () => {
    expect(parseComposefsArg(`composefs.digest=v1-sha256-12:${SHA256}`)).toEqual({
      version: 'v1',
      algorithm: 'sha256',
      hex: SHA256,
      insecure: false,
      form: 'digest',
    });
    expect(parseComposefsArg(`composefs.digest=?v2-sha512-12:${SHA512.toUpperCase()}`)).toEqual({
      version: 'v2',
      algorithm: 'sha512',
      hex: SHA512,
      insecure: true,
      form: 'digest',
    });
    expect(parseComposefsArg('root=/dev/vda')).toBeUndefined();
    expect(parseComposefsArg('composefs.other=1')).toBeUndefined();
  });

  it.each([
    [`composefs.digest=v1-sha256-8:${SHA256}`, /block size/],
    [`composefs.digest=v3-sha256-12:${SHA256}`, /format version/],
    [`composefs.digest=v1-md5-12:${SHA256}`, /algorithm/],
    [`composefs.digest=v1-sha512-12:${SHA256}`, /128/],
    ['composefs.digest=v1-sha256-12', /expected/],
    [`composefs=${SHA256.slice(1)}`, /64 \(sha256\) or 128/],
    [`composefs=${'g'.repeat(64)}`, /hexadecimal/],
    ['composefs', /no value/],
    ['composefs=', /no value/],
  ])('rejects %s', (arg, message) => {
    expect(() => parseComposefsArg(arg)).toThrow(message);
    try {
      parseComposefsArg(arg);
    } catch (e) {
      expect(ComposefsArgError.isInstance(e)).toBe(true);
    }
  });

  it('formats composefs.digest= by default, legacy on request', () => {
    expect(formatComposefsArg({ algorithm: 'sha256', hex: SHA256 })).toBe(`composefs.digest=v1-sha256-12:${SHA256}`);
    expect(formatComposefsArg({ algorithm: 'sha512', hex: SHA512, version: 'v2', insecure: true })).toBe(
      `composefs.digest=?v2-sha512-12:${SHA512}`,
    );
    expect(formatComposefsArg({ algorithm: 'sha256', hex: SHA256, form: 'legacy' })).toBe(`composefs=${SHA256}`);
    expect(() => formatComposefsArg({ algorithm: 'sha512', hex: SHA256 })).toThrow(ComposefsArgError);
    for (const text of [`composefs.digest=v1-sha256-12:${SHA256}`, `composefs=?${SHA512}`]) {
      expect(formatComposefsArg(parseComposefsArg(text)!)).toBe(text);
    }
  });

  it('finds several at once, in order', () => {
    const line = `quiet composefs.digest=v1-sha256-12:${SHA256} rw composefs=${SHA512}`;
    expect(findComposefsArgs(line).map((a) => [a.form, a.algorithm])).toEqual([
      ['digest', 'sha256'],
      ['legacy', 'sha512'],
    ]);
    expect(findComposefsArgs('quiet rw')).toEqual([]);
    expect(() => findComposefsArgs('quiet composefs=zz')).toThrow(ComposefsArgError);
  });

  it('replaces all composefs arguments in place or inserts them, keeping the others', () => {
    const d = { algorithm: 'sha256', hex: SHA256 } as const;
    expect(setComposefsArgs('console=ttyS0  rw', d)).toBe(`console=ttyS0  rw composefs.digest=v1-sha256-12:${SHA256}`);
    expect(setComposefsArgs(`a composefs=${SHA512} b composefs=?${SHA512} c`, d)).toBe(`a composefs.digest=v1-sha256-12:${SHA256} b c`);
    expect(setComposefsArgs('', [d, { algorithm: 'sha512', hex: SHA512, form: 'legacy' }])).toBe(
      `composefs.digest=v1-sha256-12:${SHA256} composefs=${SHA512}`,
    );
  });

  it('compares digests by algorithm and hex', () => {
    expect(sameComposefsDigest({ algorithm: 'sha256', hex: SHA256.toUpperCase() }, parseComposefsArg(`composefs=${SHA256}`)!)).toBe(true);
    expect(sameComposefsDigest({ algorithm: 'sha512', hex: SHA256 }, { algorithm: 'sha256', hex: SHA256 })).toBe(false);
    expect(describeComposefsDigest(parseComposefsArg(`composefs.digest=?v1-sha256-12:${SHA256}`)!)).toBe(`?v1-sha256-12:${SHA256}`);
  });
});
