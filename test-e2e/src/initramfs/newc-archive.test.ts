import { lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { LimitExceededError } from '@metalayer/core';
import { haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { dir, file, hostFile, symlink, whiteout, withParentDirs } from '../tree/fs-tree';
import { newcArchive } from './newc-archive';

const archive = async (tree: Parameters<typeof newcArchive>[0]): Promise<Buffer> => buffer(Readable.from(newcArchive(tree)));

describe.skipIf(!haveTools('cpio'))('newcArchive', () => {
  const tmp = useTempDir('metalayer-newc-');

  it('writes an archive GNU cpio extracts to the same tree (sizes 0..5 cover every padding)', async () => {
    const host = join(tmp, 'host-file');
    writeFileSync(host, prngBytes('host', 4099));
    const tree = withParentDirs([
      dir('/etc', 0o750),
      ...[0, 1, 2, 3, 4, 5].map((n) => file(`/data/f${n}`, 'x'.repeat(n), 0o640)),
      hostFile('/bin/tool', host, 4099, 0o755),
      symlink('/bin/sh', 'tool'),
      file('/etc/a name with spaces', 'ok\n'),
    ]);
    const bytes = await archive(tree);
    expect(bytes.length % 512).toBe(0);
    const listing = run('cpio', ['-t', '--quiet'], { input: bytes }).stdout.toString().trim().split('\n');
    expect(listing[0]).toBe('.');
    expect(new Set(listing)).toEqual(new Set(tree.map((e) => (e.path === '/' ? '.' : e.path.slice(1)))));
    const out = join(tmp, 'extract');
    run('sh', ['-c', `mkdir -p "${out}" && cd "${out}" && cpio -idm --quiet --no-absolute-filenames`], { input: bytes });
    for (const n of [0, 1, 2, 3, 4, 5]) expect(readFileSync(join(out, `data/f${n}`), 'utf8')).toBe('x'.repeat(n));
    expect(readFileSync(join(out, 'bin/tool'))).toEqual(Buffer.from(prngBytes('host', 4099)));
    expect(lstatSync(join(out, 'bin/tool')).mode & 0o7777).toBe(0o755);
    expect(lstatSync(join(out, 'etc')).mode & 0o7777).toBe(0o750);
    expect(readlinkSync(join(out, 'bin/sh'))).toBe('tool');
    expect(readFileSync(join(out, 'etc/a name with spaces'), 'utf8')).toBe('ok\n');
    expect(lstatSync(join(out, 'data/f1')).mtimeMs).toBe(1_700_000_000_000);
  });

  it('puts parents before children whatever the input order', async () => {
    const tree = [file('/a/b/c', 'c'), dir('/a/b'), dir('/a'), dir('/')];
    const listing = run('cpio', ['-t', '--quiet'], { input: await archive(tree) })
      .stdout.toString()
      .trim()
      .split('\n');
    expect(listing).toEqual(['.', 'a', 'a/b', 'a/b/c']);
  });

  it('rejects whiteouts and over-long names', async () => {
    await expect(archive([dir('/'), whiteout('/x')])).rejects.toThrow(/whiteout/);
    const long = `/${'n'.repeat(4200)}`;
    await expect(archive([dir('/'), file(long, 'x')])).rejects.toSatisfy((e: unknown) => LimitExceededError.isInstance(e));
  });

  it('fails when a host file changed size since the tree was made', async () => {
    const host = join(tmp, 'shrinks');
    writeFileSync(host, 'abc');
    await expect(archive([dir('/'), hostFile('/f', host, 10)])).rejects.toThrow(/expected 10 bytes, got 3/);
  });
});
