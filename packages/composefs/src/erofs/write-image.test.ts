import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@metalayer/core';
import { haveTools, run, useTempDir, vectorsPath } from '@metalayer/test-utils';
import { parseDumpfileSync } from '../dumpfile/parse-dumpfile';
import { InvalidTreeError } from '../errors/invalid-tree-error';
import { fsverityDigest } from '../fsverity/fsverity-hasher';
import {
  createBlockDevice,
  createCharDevice,
  createDirectory,
  createFifo,
  createRegularFile,
  createSocket,
  createSymlink,
} from '../tree/create';
import type { Directory } from '../tree/types';
import { toHex } from '../util/hex';
import { computeErofsImageDigest, resolveVersionRange, writeErofsImage, writeErofsImageFile, xxh32 } from './index';

interface VectorRow {
  vector: string;
  args: string;
  version: number;
  fsverity: string;
  sha256: string;
  size: number;
}

const rows: VectorRow[] = readFileSync(vectorsPath('composefs', 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [vector, args, version, fsverity, sha256, size] = line.split('\t') as [string, string, string, string, string, string];
    return { vector, args, version: Number(version), fsverity, sha256, size: Number(size) };
  });

/** mkcomposefs flags of a vector row as writer options. */
function optionsOf(args: string): { minVersion?: number; maxVersion?: number } {
  const options: { minVersion?: number; maxVersion?: number } = {};
  for (const [, which, value] of args.matchAll(/--(min|max)-version=(\d+)/g)) {
    options[which === 'min' ? 'minVersion' : 'maxVersion'] = Number(value);
  }
  return options;
}

function imageOf(row: VectorRow): Uint8Array {
  const tree = parseDumpfileSync(readFileSync(vectorsPath('composefs', `${row.vector}.dump`)), { strict: true });
  return writeErofsImage(tree, optionsOf(row.args));
}

describe('C mkcomposefs reference vectors', () => {
  it.each(rows.map((r) => [`${r.vector} ${r.args}`, r] as const))('%s is byte-identical', (_name, row) => {
    const image = imageOf(row);
    expect(image.length).toBe(row.size);
    expect(createHash('sha256').update(image).digest('hex')).toBe(row.sha256);
    expect(new DataView(image.buffer).getUint32(12, true)).toBe(row.version);
    expect(toHex(fsverityDigest(image))).toBe(row.fsverity);
  });
});

describe.skipIf(!haveTools('fsck.erofs', 'fsverity'))('independent tools', () => {
  const dir = useTempDir('cfs-writer-');

  it.each(rows.map((r) => [`${r.vector} ${r.args}`, r] as const))('fsck.erofs accepts %s', (_name, row) => {
    const path = join(dir, `${row.vector}-${row.args.replace(/\W/g, '')}.img`);
    writeFileSync(path, imageOf(row));
    run('fsck.erofs', [path]);
  });

  it('--print-digest equals fsverity digest of the written file, SHA-256 and SHA-512', async () => {
    const tree = parseDumpfileSync(readFileSync(vectorsPath('composefs', '08-xattrs.dump')));
    const path = join(dir, 'printed.img');
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const written = await writeErofsImageFile(tree, path, { digestAlgorithm: algorithm });
      const args = ['digest', '--compact', ...(algorithm === 'sha512' ? ['--hash-alg=sha512'] : []), path];
      const tool = run('fsverity', args).stdout.toString().trim();
      expect(toHex(written.digest!)).toBe(tool);
      expect(toHex(computeErofsImageDigest(tree, { digestAlgorithm: algorithm }).digest)).toBe(tool);
    }
  });
});

/** composefs-rs `tests/mkfs.rs` trees (composefs-rs-semantics.md §12.2), built directly. */
function composefsRsTree(simple: boolean): Directory {
  const root = createDirectory({ mode: 0o755 });
  if (!simple) return root;
  root.entries.set('fifo', createFifo());
  root.entries.set('regular-inline', createRegularFile({ content: new TextEncoder().encode('hihi') }));
  root.entries.set(
    'regular-external',
    createRegularFile({ size: 1234, payload: `5a/${'5a'.repeat(31)}`, digest: new Uint8Array(32).fill(0x5a) }),
  );
  root.entries.set('chrdev', createCharDevice(123));
  root.entries.set('blkdev', createBlockDevice(123));
  root.entries.set('socket', createSocket());
  root.entries.set('symlink', createSymlink('/target'));
  return root;
}

describe('composefs-rs pinned digests', () => {
  it.each([
    ['empty', false, 0, '8f589e8f57ecb88823736b0d857ddca1e1068a23e264fad164b28f7038eb3682'],
    ['empty', false, 1, '14a26c957c84f6eb774b91205476adc13196c7c33b9dd97d08d43725ecb90b63'],
    ['simple', true, 0, '9f3f5620ee0c54708516467d0d58741e7963047c7106b245d94c298259d0fa01'],
    ['simple', true, 1, 'ad6db6427568a1e4fdc772cbab7b6063f5eb4b33cb62982a740ba9213e5962b5'],
  ] as const)('%s V%i', (_name, simple, version, digest) => {
    const result = computeErofsImageDigest(composefsRsTree(simple), { minVersion: version, maxVersion: version });
    expect(result.version).toBe(version);
    expect(toHex(result.digest)).toBe(digest);
  });
});

describe('format versions', () => {
  it('resolves flags like mkcomposefs', () => {
    expect(resolveVersionRange()).toEqual({ min: 0, max: 1 });
    expect(resolveVersionRange(1)).toEqual({ min: 1, max: 1 });
    expect(resolveVersionRange(undefined, 1)).toEqual({ min: 0, max: 1 });
    expect(resolveVersionRange(undefined, 0)).toEqual({ min: 0, max: 0 });
    expect(() => resolveVersionRange(2)).toThrow(InvalidArgumentError);
    expect(() => resolveVersionRange(undefined, -1)).toThrow(InvalidArgumentError);
  });

  it('bumps to 1 for a whiteout only when the maximum allows it', () => {
    const tree = createDirectory();
    tree.entries.set('wh', createCharDevice(0));
    const version = (options: object) => writeErofsImage(tree, options)[12];
    expect([version({}), version({ maxVersion: 1 }), version({ maxVersion: 0 }), version({ minVersion: 1 })]).toEqual([1, 1, 0, 1]);
  });
});

describe('tree validation', () => {
  it.each([
    ['content length differs from size', () => createRegularFile({ size: 3, content: Uint8Array.of(1) })],
    ['digest of 20 bytes', () => createRegularFile({ size: 3, digest: new Uint8Array(20) })],
    ['symlink of 4096 bytes', () => createSymlink('x'.repeat(4096))],
    ['empty symlink', () => createSymlink('')],
    ['rdev over 32 bits', () => createCharDevice(2 ** 32)],
    ['mode with type bits', () => createFifo({ stat: { mode: 0o10644 } })],
    ['xattr budget', () => createFifo({ stat: { xattrs: [['user.a', new Uint8Array(32760)]] } })],
  ])('rejects %s', (_name, make) => {
    const tree = createDirectory();
    tree.entries.set('bad', make());
    expect(() => writeErofsImage(tree)).toThrow(InvalidTreeError);
  });
});

describe('xxh32', () => {
  it('matches the reference test vectors', () => {
    expect(xxh32('', 0)).toBe(0x02cc5d05);
    expect(xxh32('a', 0)).toBe(0x550d7456);
    expect(xxh32('Nobody inspects the spammish repetition', 0)).toBe(0xe2293b2f);
    expect(xxh32('', 0x9e3779b1)).toBe(0x36b78ae7);
  });
});
