import { mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { LimitExceededError } from '@metalayer/core';
import { haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { encodeNewcArchive, type NewcEntry } from './newc-archive';

const archive = async (entries: NewcEntry[]) => new Uint8Array(await buffer(Readable.from(encodeNewcArchive(entries))));

describe('encodeNewcArchive', () => {
  const tmp = useTempDir();

  it.skipIf(!haveTools('cpio'))('writes what GNU cpio extracts: directories, files (streamed too), symlinks, modes', async () => {
    const big = prngBytes('newc', 10_001);
    async function* chunks() {
      yield big.subarray(0, 4000);
      yield big.subarray(4000);
    }
    const bytes = await archive([
      { type: 'directory', path: '.', mode: 0o755 },
      { type: 'directory', path: 'bin', mode: 0o700 },
      { type: 'file', path: 'bin/tool', mode: 0o750, data: chunks(), size: big.length },
      { type: 'file', path: 'init', mode: 0o755, data: new TextEncoder().encode('#!/bin/sh\n'), size: 10 },
      { type: 'symlink', path: 'sbin', target: 'bin' },
    ]);
    expect(bytes.length % 512).toBe(0);
    const out = join(tmp, 'x');
    mkdirSync(out);
    run('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { input: bytes, cwd: out });
    expect(new Uint8Array(readFileSync(join(out, 'bin/tool')))).toEqual(big);
    expect(statSync(join(out, 'bin/tool')).mode & 0o777).toBe(0o750);
    expect(statSync(join(out, 'bin')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(out, 'init'), 'utf8')).toBe('#!/bin/sh\n');
    expect(readlinkSync(join(out, 'sbin'))).toBe('bin');
  });

  it('refuses a stream whose length differs from the declared size', async () => {
    await expect(archive([{ type: 'file', path: 'f', data: Readable.from([new Uint8Array(3)]), size: 10 }])).rejects.toThrow(
      /f: expected 10 bytes, got 3/,
    );
  });

  it('refuses values that do not fit the 8-digit fields and names above PATH_MAX', async () => {
    const tooBig = archive([{ type: 'directory', path: 'd', mtime: 2 ** 32 }]);
    await expect(tooBig).rejects.toSatisfy((e: unknown) => LimitExceededError.isInstance(e));
    const tooLong = archive([{ type: 'directory', path: 'a'.repeat(4096) }]);
    await expect(tooLong).rejects.toSatisfy((e: unknown) => LimitExceededError.isInstance(e));
  });
});
