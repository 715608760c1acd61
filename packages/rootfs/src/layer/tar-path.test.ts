import { describe, expect, it } from 'vitest';
import { splitTarPath } from './tar-path';
import { makedev } from './layer-entry';

describe('tar paths as composefs-rs resolves them', () => {
  it.each([
    ['usr/bin/sh', ['usr', 'bin', 'sh']],
    ['./usr/bin/sh', ['usr', 'bin', 'sh']],
    ['/usr/bin/sh', ['usr', 'bin', 'sh']],
    ['usr/bin/', ['usr', 'bin']],
    ['usr//bin///', ['usr', 'bin']],
    ['usr/./bin/.', ['usr', 'bin']],
    ['//usr', ['usr']],
    ['./', []],
    ['.', []],
    ['/', []],
    ['', []],
  ])('%j → %j', (raw, names) => {
    expect(splitTarPath(raw)).toEqual({ names, traversal: false });
  });

  it.each(['..', '../etc', 'usr/../etc', 'usr/..', './../x'])('%j is traversal', (raw) => {
    expect(splitTarPath(raw).traversal).toBe(true);
  });
});

describe('makedev (glibc encoding, 32-bit limit)', () => {
  it('encodes like glibc', () => {
    expect(makedev(1, 3)).toBe(259);
    expect(makedev(8, 0)).toBe(2048);
    expect(makedev(0, 0)).toBe(0);
    expect(makedev(8, 256)).toBe(((256 & 0xfff00) << 12) | (8 << 8));
    expect(makedev(0xfff, 0xfffff)).toBe(0xffffffff);
  });
  it('refuses numbers that do not fit 32 bits', () => {
    expect(makedev(0x1000, 0)).toBeUndefined();
    expect(makedev(0, 0x100000)).toBeUndefined();
  });
});
