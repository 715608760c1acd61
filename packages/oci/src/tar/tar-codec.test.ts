import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, linkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LimitExceededError } from '@metalayer/core';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { TarFormatError } from '../errors/index';
import { bytesToByteString, utf8ToByteString } from '@metalayer/core';
import { encodePaxRecord, parsePaxTime } from './pax';
import { readTar, type TarHeader } from './tar-reader';
import { writeTar, type TarWriteEntry } from './tar-writer';

async function* chunked(bytes: Uint8Array, size = 333): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

async function readAll(bytes: Uint8Array, chunk = 333): Promise<Array<{ header: TarHeader; body: Uint8Array }>> {
  const out = [];
  for await (const entry of readTar(chunked(bytes, chunk))) out.push({ header: entry.header, body: await collect(entry.body) });
  return out;
}

const long = (c: string, n: number) => c.repeat(n);

describe('PAX records', () => {
  it('match the bytes GNU tar writes', () => {
    expect(Buffer.from(encodePaxRecord('SCHILY.xattr.user.k', new TextEncoder().encode('v1'))).toString()).toBe(
      '26 SCHILY.xattr.user.k=v1\n',
    );
    expect(Buffer.from(encodePaxRecord('path', new TextEncoder().encode('a'))).toString()).toBe('9 path=a\n');
    // the length prefix grows a digit exactly at the boundary
    expect(encodePaxRecord('k', new Uint8Array(94)).length).toBe(101);
    expect(encodePaxRecord('k', new Uint8Array(93)).length).toBe(99);
  });
  it('parses sub-second and negative times', () => {
    expect(parsePaxTime('1700000000.123456789', 0, 'mtime')).toEqual({ seconds: 1700000000, nanoseconds: 123456789 });
    expect(parsePaxTime('12.5', 0, 'mtime')).toEqual({ seconds: 12, nanoseconds: 500000000 });
    expect(parsePaxTime('-1.25', 0, 'mtime')).toEqual({ seconds: -2, nanoseconds: 750000000 });
  });
});

describe.skipIf(!haveTools('tar'))('tar reader against GNU tar', () => {
  const tmp = useTempDir();
  const src = join(tmp, 'src');
  const deep = join(long('a', 90), long('b', 90), long('c', 90));
  mkdirSync(join(src, 'd'), { recursive: true });
  mkdirSync(join(src, long('a', 90), long('b', 90)), { recursive: true });
  writeFileSync(join(src, deep), 'deep\n');
  writeFileSync(join(src, 'd/f'), 'hello\n');
  utimesSync(join(src, 'd/f'), new Date('2023-11-14T22:13:20.123Z'), new Date('2023-11-14T22:13:20.123Z'));
  linkSync(join(src, 'd/f'), join(src, 'd/hard'));
  symlinkSync(long('x', 150), join(src, 'd/longlink'));
  const isRoot = process.getuid?.() === 0;
  if (isRoot) execFileSync('mknod', [join(src, 'd/cdev'), 'c', '1', '3']);
  execFileSync('mkfifo', [join(src, 'd/fifo')]);

  it.each(['posix', 'gnu'])('reads a --format=%s archive entry by entry', async (format) => {
    const args = ['--format', format, '-C', src, '-cf', '-', '--sort=name', '.'];
    if (format === 'posix') args.unshift('--pax-option=SCHILY.xattr.user.k:=v1'); // ':=' = each entry's own record
    const entries = await readAll(new Uint8Array(run('tar', args).stdout));
    const byName = new Map(entries.map((e) => [e.header.name.replace(/^\.\//, ''), e]));
    const file = byName.get('d/f')!;
    const stat = lstatSync(join(src, 'd/f'), { bigint: true });
    expect(file.header).toMatchObject({ type: 'file', size: 6, mode: Number(stat.mode) & 0o7777, uid: 0 });
    expect(new TextDecoder().decode(file.body)).toBe('hello\n');
    expect(file.header.mtime).toEqual(
      format === 'posix'
        ? { seconds: Number(stat.mtimeNs / 1_000_000_000n), nanoseconds: Number(stat.mtimeNs % 1_000_000_000n) }
        : { seconds: Number(stat.mtimeNs / 1_000_000_000n), nanoseconds: 0 },
    );
    if (format === 'posix') expect(file.header.xattrs.get('user.k')).toEqual(new TextEncoder().encode('v1'));
    expect(byName.get(deep)?.body).toEqual(new TextEncoder().encode('deep\n'));
    expect(byName.get('d/hard')?.header).toMatchObject({ type: 'hardlink', linkname: './d/f', size: 0 });
    expect(byName.get('d/longlink')?.header).toMatchObject({ type: 'symlink', linkname: long('x', 150) });
    expect(byName.get('d/fifo')?.header.type).toBe('fifo');
    if (isRoot) expect(byName.get('d/cdev')?.header).toMatchObject({ type: 'char-device', devmajor: 1, devminor: 3 });
    expect(byName.get('d/')?.header.type).toBe('directory');
  });

  it('reports global PAX records without applying them (as tar-core and Go archive/tar do)', async () => {
    const bytes = new Uint8Array(
      execFileSync('tar', ['--format=posix', '--pax-option=uid=4242,comment=built by ci', '-C', src, '-cf', '-', 'd/f']),
    );
    const [entry] = await readAll(bytes);
    expect(entry!.header.name).toBe('d/f');
    expect(entry!.header.uid).toBe(process.getuid?.() ?? 0);
    expect(new TextDecoder().decode(entry!.header.globalPax.get('uid'))).toBe('4242');
    expect(new TextDecoder().decode(entry!.header.globalPax.get('comment'))).toBe('built by ci');
    expect(entry!.header.pax.has('uid')).toBe(false);
  });

  it('GNU tar lists and extracts what we write, byte names and binary xattrs survive our round trip', async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    const latin = bytesToByteString(new Uint8Array([0x66, 0xff, 0xfe, 0x80])); // not UTF-8
    const entries: TarWriteEntry[] = [
      { name: 'dir/', type: 'directory', mode: 0o700, mtime: 1_700_000_000 },
      {
        name: 'dir/file',
        type: 'file',
        body: new TextEncoder().encode('content'),
        mode: 0o4755,
        uid: 1000,
        gid: 100,
        mtime: { seconds: 1_700_000_000, nanoseconds: 5 },
        xattrs: [
          ['security.capability', binary],
          ['user.é', new Uint8Array([1])],
        ],
      },
      { name: `dir/${long('n', 120)}/${long('m', 120)}/${long('o', 120)}`, type: 'file', body: new TextEncoder().encode('x') },
      { name: `dir/${latin}`, type: 'file', body: new Uint8Array(0) },
      { name: utf8ToByteString('dir/ünï'), type: 'symlink', linkname: long('t', 200) },
      { name: 'dir/hard', type: 'hardlink', linkname: 'dir/file' },
      { name: 'dir/.wh.gone', type: 'file' },
      { name: 'dir/null', type: 'char-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dir/big-uid', type: 'fifo', uid: 2 ** 32 - 2 },
      {
        name: 'dir/stream',
        type: 'file',
        size: 1025,
        body: (async function* () {
          yield new Uint8Array(1000).fill(7);
          yield new Uint8Array(25).fill(8);
        })(),
      },
    ];
    const tar = await collect(writeTar(entries));
    expect(tar.length % 512).toBe(0);
    const listing = run('tar', ['-tvf', '-', '--full-time', '--numeric-owner'], { input: tar }).stdout.toString().replace(/ +/g, ' ');
    expect(listing).toContain('-rwsr-xr-x 1000/100 7 2023-11-14 22:13:20.000000005 dir/file');
    expect(listing).toContain(`dir/${long('n', 120)}/${long('m', 120)}/${long('o', 120)}`);
    expect(listing).toContain(`lrwxrwxrwx 0/0 0 1970-01-01 00:00:00 dir/ünï -> ${long('t', 200)}`);
    expect(listing).toContain('dir/f\\377\\376\\200');
    expect(listing).toContain('hrw-r--r-- 0/0 0 1970-01-01 00:00:00 dir/hard link to dir/file');
    expect(listing).toContain('crw-rw-rw- 0/0 1,3');
    expect(listing).toContain(`${2 ** 32 - 2}/0`);
    const out = join(tmp, 'x');
    mkdirSync(out);
    run('tar', ['-xf', '-', '-C', out], { input: tar });
    expect(readFileSync(join(out, 'dir/stream'))).toEqual(Buffer.concat([Buffer.alloc(1000, 7), Buffer.alloc(25, 8)]));
    expect(readFileSync(join(out, 'dir/file'), 'utf8')).toBe('content');

    const back = await readAll(tar);
    expect(back.map((e) => e.header.name)).toEqual(entries.map((e) => e.name));
    expect(back[1]!.header.xattrs).toEqual(
      new Map([
        ['security.capability', binary],
        ['user.é', new Uint8Array([1])],
      ]),
    );
    expect(back[1]!.header.mtime).toEqual({ seconds: 1_700_000_000, nanoseconds: 5 });
    expect(back[1]!.header.mode).toBe(0o4755);
    expect(back[4]!.header.linkname).toBe(long('t', 200));
    expect(back[8]!.header.uid).toBe(2 ** 32 - 2);
    expect(back[9]!.body.length).toBe(1025);
    // deterministic: the same entries give the same bytes
    const again = await collect(writeTar(entries.filter((e) => !(e.body && !(e.body instanceof Uint8Array)))));
    const first = await collect(writeTar(entries.filter((e) => !(e.body && !(e.body instanceof Uint8Array)))));
    expect(again).toEqual(first);
  });
});

describe('tar writer headers', () => {
  // Regression: the writer once cut the ustar magic at 6 bytes and never wrote
  // version "00", so its own reader (and any strict one) took our headers for
  // old v7 ones and lost device numbers and the name prefix.
  it('writes POSIX ustar magic and version, so device numbers and prefixed names survive our own reader', async () => {
    const dir = `${long('d', 90)}/${long('e', 60)}`;
    const bytes = await collect(
      writeTar([
        { name: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3 },
        { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
        { name: `${dir}/file`, type: 'file', body: new TextEncoder().encode('x') },
      ]),
    );
    expect(bytesToByteString(bytes.subarray(257, 265))).toBe('ustar\u000000');
    const entries = await readAll(bytes);
    expect(entries.map((e) => [e.header.name, e.header.devmajor, e.header.devminor])).toEqual([
      ['dev/null', 1, 3],
      ['dev/sda', 8, 0],
      [`${dir}/file`, 0, 0],
    ]);
    // A ustar magic without the version (other writers do that) still counts as ustar.
    const loose = bytes.slice();
    loose.fill(0, 263, 265);
    const checksum = loose.subarray(0, 512).reduce((n, b, i) => n + (i >= 148 && i < 156 ? 32 : b), 0);
    loose.set(new TextEncoder().encode(`${checksum.toString(8).padStart(6, '0')}\0 `), 148);
    expect((await readAll(loose))[0]!.header.devminor).toBe(3);
    if (haveTools('tar')) {
      const listing = run('tar', ['-tvf', '-'], { input: bytes }).stdout.toString();
      expect(listing).toMatch(/^crw-r--r-- .* 1,\s*3 .* dev\/null$/m);
      expect(listing).toContain(`${dir}/file`);
    }
  });
});

describe('chunking', () => {
  const entries: TarWriteEntry[] = [
    { name: 'd/', type: 'directory' },
    { name: `d/${long('n', 150)}`, type: 'file', body: new Uint8Array(1025).fill(7), xattrs: [['user.x', new Uint8Array([1, 2])]] },
    { name: 'd/empty', type: 'file' },
    { name: 'd/l', type: 'symlink', linkname: long('t', 120) },
    { name: 'd/block', type: 'file', body: new Uint8Array(512).fill(9) },
  ];

  it('gives the same entries whatever the chunk boundaries (headers, PAX records and bodies split anywhere)', async () => {
    const tar = await collect(writeTar(entries));
    const expected = await readAll(tar, tar.length);
    expect(expected.map((e) => e.header.name)).toEqual(entries.map((e) => e.name));
    for (const size of [1, 7, 511, 512, 513, 1000]) expect(await readAll(tar, size)).toEqual(expected);
  });

  it('skips unread and half-read bodies, and fails only when a bad entry is reached', async () => {
    const tar = await collect(writeTar(entries));
    const names: string[] = [];
    for await (const { header, body } of readTar(chunked(tar, 100))) {
      names.push(header.name);
      if (header.name === 'd/block') for await (const part of body) void part;
      else if (header.size > 0) await body[Symbol.asyncIterator]().next();
    }
    expect(names).toEqual(entries.map((e) => e.name));
    // The last header is corrupt: the entries before it, read in one chunk, come out first.
    const last = (await readAll(tar)).at(-1)!.header.offset;
    const broken = tar.slice();
    broken[last]! ^= 1;
    const seen: string[] = [];
    const error = await (async () => {
      for await (const { header } of readTar(chunked(broken, broken.length))) seen.push(header.name);
    })().catch((e: unknown) => e);
    expect(TarFormatError.isInstance(error), String(error)).toBe(true);
    expect(seen).toEqual(entries.slice(0, 4).map((e) => e.name));
  });
});

describe('hostile tar input', () => {
  const one = async () => collect(writeTar([{ name: 'a', type: 'file', body: new Uint8Array(700).fill(1) }]));
  async function expectTarError(bytes: Uint8Array, reason: RegExp) {
    const error = await readAll(bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(TarFormatError.isInstance(error) || LimitExceededError.isInstance(error), String(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(reason);
  }
  it('bad checksum', async () => {
    const tar = await one();
    tar[0] = 0x62;
    await expectTarError(tar, /offset 0 \(chksum\)/);
  });
  it('truncated body, header, end marker', async () => {
    const tar = await one();
    await expectTarError(tar.subarray(0, 900), /entry "a" truncated: 388 of 700 bytes/);
    await expectTarError(tar.subarray(0, 512 * 3 + 100), /truncated header block/);
    await expectTarError(tar.subarray(0, 512 * 3), /no end-of-archive marker/);
  });
  it('oversized PAX header, malformed record, sparse entries', async () => {
    const tar = await collect(writeTar([{ name: 'a', type: 'file', xattrs: [['user.x', new Uint8Array(10)]] }]));
    const sizeField = (v: string) => {
      const t = tar.slice();
      t.set(new TextEncoder().encode(v.padStart(11, '0')), 124);
      fixChecksum(t);
      return t;
    };
    await expectTarError(sizeField((2 * 1024 * 1024).toString(8)), /MAX_TAR_META_SIZE/);
    const broken = tar.slice();
    broken.set(new TextEncoder().encode('99'), 512);
    await expectTarError(broken, /malformed PAX record/);
    const sparse = await one();
    sparse[156] = 'S'.charCodeAt(0);
    fixChecksum(sparse);
    await expectTarError(sparse, /GNU sparse file/);
  });
});

function fixChecksum(block: Uint8Array) {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i]!;
  block.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
}
