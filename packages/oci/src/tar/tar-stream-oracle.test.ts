import { describe, expect, it } from 'vitest';
import { extract, pack } from 'tar-stream';
import { collectBytes } from '../digest';
import { readTar } from './tar-reader';
import { writeTar, type TarWriteEntry } from './tar-writer';

// tar-stream (the npm tar library) as a second, independent parser and writer.
// It decodes PAX values as UTF-8, so only text-safe fields are compared here;
// byte-exact names and binary xattrs are covered against GNU tar and by round trips.

const entries: TarWriteEntry[] = [
  { name: 'a/', type: 'directory', mode: 0o750, uid: 7, gid: 8, mtime: 1_600_000_000 },
  { name: `a/${'long-'.repeat(40)}file`, type: 'file', body: new TextEncoder().encode('x'.repeat(1000)), mtime: 1_600_000_001 },
  { name: 'a/sym', type: 'symlink', linkname: 'target' },
  { name: 'a/hard', type: 'hardlink', linkname: 'a/sym' },
];

describe('tar codec cross-checked with tar-stream', () => {
  it('tar-stream reads what we write', async () => {
    const bytes = await collectBytes(writeTar(entries), 1 << 20, () => new Error('big'));
    const seen: Array<{ name: string; type: string; size: number; mode: number; uid: number; linkname: string | null; mtime: number }> = [];
    const ex = extract();
    const done = new Promise<void>((resolve, reject) => {
      ex.on('entry', (h, stream, next) => {
        seen.push({
          name: h.name,
          type: h.type,
          size: h.size,
          mode: h.mode,
          uid: h.uid,
          linkname: h.linkname || null,
          mtime: h.mtime.getTime() / 1000,
        });
        stream.on('end', () => next());
        stream.resume();
      });
      ex.on('finish', resolve);
      ex.on('error', reject);
    });
    ex.end(Buffer.from(bytes));
    await done;
    expect(seen).toEqual([
      { name: 'a/', type: 'directory', size: 0, mode: 0o750, uid: 7, linkname: null, mtime: 1_600_000_000 },
      { name: `a/${'long-'.repeat(40)}file`, type: 'file', size: 1000, mode: 0o644, uid: 0, linkname: null, mtime: 1_600_000_001 },
      { name: 'a/sym', type: 'symlink', size: 0, mode: 0o777, uid: 0, linkname: 'target', mtime: 0 },
      { name: 'a/hard', type: 'link', size: 0, mode: 0o644, uid: 0, linkname: 'a/sym', mtime: 0 },
    ]);
  });

  it('we read what tar-stream writes, PAX path and all', async () => {
    const p = pack();
    p.entry({ name: 'dir', type: 'directory', mode: 0o700, mtime: new Date(5000) });
    p.entry({ name: `dir/${'ü'.repeat(80)}`, mtime: new Date(6000) }, 'hello');
    p.entry({ name: 'dir/l', type: 'symlink', linkname: 'dir' });
    p.finalize();
    const chunks: Uint8Array[] = [];
    for await (const chunk of p) chunks.push(chunk as Uint8Array);
    const out = [];
    async function* source() {
      yield* chunks;
    }
    for await (const e of readTar(source())) {
      out.push([
        Buffer.from(e.header.name, 'latin1').toString('utf8'),
        e.header.type,
        e.header.mode,
        e.header.mtime.seconds,
        e.header.linkname,
      ]);
    }
    expect(out).toEqual([
      ['dir', 'directory', 0o700, 5, ''],
      [`dir/${'ü'.repeat(80)}`, 'file', 0o644, 6, ''],
      ['dir/l', 'symlink', 0o644, out[2]![3], 'dir'],
    ]);
  });
});
