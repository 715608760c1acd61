import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, MetalayerError } from '@metalayer/core';
import { vectorsPath } from '@metalayer/test-utils';
import { formatDumpfile } from '../dumpfile/write-dumpfile';
import { parseDumpfileSync } from '../dumpfile/parse-dumpfile';
import { ErofsFormatError } from '../errors/erofs-format-error';
import { GENERATED_TREES, hardLinksToEveryType, longSymlinks, manySharedXattrs } from '../test-support/generated-trees';
import { createDirectory, createRegularFile } from '../tree/create';
import { insertPath } from '../tree/tree-ops';
import type { Directory } from '../tree/types';
import { BoundedView } from './bounded-view';
import { erofsImageDumpLines, readErofsImage, writeErofsImage, type ErofsImage } from './index';
import { readDirectoryEntries } from './read-directory';
import { readInode } from './read-inode';

const dumpOf = (image: ErofsImage) => [...erofsImageDumpLines(image)].join('');

const rows = readFileSync(vectorsPath('composefs', 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t') as [string, string, string]);

function optionsOf(args: string): { minVersion?: number; maxVersion?: number } {
  const options: { minVersion?: number; maxVersion?: number } = {};
  for (const [, which, value] of args.matchAll(/--(min|max)-version=(\d+)/g)) {
    options[which === 'min' ? 'minVersion' : 'maxVersion'] = Number(value);
  }
  return options;
}

/** dumpfile → image → dump → image must reproduce the image; returns the dump. */
function roundTrip(tree: Directory, options: { minVersion?: number; maxVersion?: number } = {}): string {
  const image = writeErofsImage(tree, options);
  const dump = dumpOf(readErofsImage(image));
  const again = writeErofsImage(parseDumpfileSync(dump, { strict: true }), options);
  expect(Buffer.compare(again, image)).toBe(0);
  expect(dumpOf(readErofsImage(again))).toBe(dump);
  return dump;
}

describe('reading images back', () => {
  it.each(rows.map((r) => [`${r[0]} ${r[1]}`, r] as const))('%s round-trips byte for byte', (_name, [vector, args, version]) => {
    const tree = parseDumpfileSync(readFileSync(vectorsPath('composefs', `${vector}.dump`)));
    const dump = roundTrip(tree, optionsOf(args));
    const canonical = formatDumpfile(tree);
    if (vector === '06-devices-whiteouts' && version === '1') {
      // A V1 parent of whiteouts shows the opaque pair, as composefs-info dump does.
      expect(dump).toContain('/upper 72 40755 2 0 0 0 1700000000.0 - - - trusted.overlay.opaque=x user.overlay.opaque=x\n');
      expect(dump.replace(/ trusted\.overlay\.opaque=x user\.overlay\.opaque=x/g, '')).toBe(canonical);
    } else {
      expect(dump).toBe(canonical);
    }
  });

  it.each(GENERATED_TREES)('%s round-trips byte for byte', (_name, make) => {
    roundTrip(make());
  });

  it('hides the whiteout table, prints hard links with @ and unescapes overlay xattrs', () => {
    const dump = dumpOf(readErofsImage(writeErofsImage(hardLinksToEveryType())));
    expect(dump).not.toMatch(/^\/[0-9a-f]{2} /m);
    expect(dump).toContain('/a/inline-1 100 @100644 3 0 0 0 1700000000.0 /b/c/inline ');
    expect(dump).toContain('/b/c/whiteout 0 20000 3 0 0 0 1700000000.0 - - -\n');
    const xattrs = dumpOf(readErofsImage(writeErofsImage(manySharedXattrs())));
    expect(xattrs).toContain(' trusted.overlay.custom=\\x00 ');
    expect(xattrs).not.toContain('trusted.overlay.overlay');
  });

  it('gives compact inodes the superblock build time', () => {
    const tree = createDirectory({ mtimeSec: 7, mtimeNsec: 123 });
    insertPath(tree, '/f', createRegularFile({ stat: { mtimeSec: 7, mtimeNsec: 123 } }));
    insertPath(tree, '/g', createRegularFile({ stat: { mtimeSec: 8 } }));
    const read = readErofsImage(writeErofsImage(tree));
    expect(dumpOf(read)).toContain('/f 0 100000 1 0 0 0 7.123 - - -\n');
    expect(dumpOf(read)).toContain('/g 0 100000 1 0 0 0 8.0 - - -\n');
  });
});

/** Offset of the dirent named `name` in the directory at `dirPath` (`/` or `/x`). */
function direntOffset(image: Uint8Array, dirPath: string, name: string): number {
  const view = new BoundedView(image);
  const ctx = { metaStart: 0, xattrStart: view.u32(1024 + 44, 'x') * 4096, buildTimeSec: 0n, buildTimeNsec: 0 };
  let dir = readInode(view, ctx, view.u16(1024 + 14, 'root'));
  for (const component of dirPath.split('/').filter(Boolean)) {
    const entry = readDirectoryEntries(view, ctx, dir, new Set()).find((e) => e.name === component)!;
    dir = readInode(view, ctx, entry.nid);
  }
  return readDirectoryEntries(view, ctx, dir, new Set()).find((e) => e.name === name)!.offset;
}

function expectFormatError(image: Uint8Array, field: RegExp): void {
  try {
    readErofsImage(image);
  } catch (error) {
    expect(ErofsFormatError.isInstance(error) || LimitExceededError.isInstance(error)).toBe(true);
    if (ErofsFormatError.isInstance(error)) expect(error.field).toMatch(field);
    return;
  }
  throw new Error('expected the image to be rejected');
}

describe('corrupt images', () => {
  const base = () => {
    const tree = createDirectory();
    insertPath(tree, '/sub', createDirectory());
    insertPath(tree, '/sub/loopname', createDirectory());
    insertPath(tree, '/sub/file', createRegularFile({ content: Uint8Array.of(1, 2, 3) }));
    return writeErofsImage(tree);
  };

  it('rejects wrong magics, versions and block sizes', () => {
    for (const [offset, value, field] of [
      [0, 0, /header.magic/],
      [4, 2, /header.version/],
      [1024, 0, /superblock.magic/],
    ] as const) {
      const image = base();
      new DataView(image.buffer).setUint32(offset, value, true);
      expectFormatError(image, field);
    }
    const image = base();
    image[1024 + 12] = 13;
    expectFormatError(image, /blkszbits/);
    expectFormatError(base().subarray(0, 4000), /image size/);
  });

  it('rejects a directory cycle', () => {
    const image = base();
    new DataView(image.buffer).setBigUint64(direntOffset(image, '/sub', 'loopname'), 36n, true);
    expectFormatError(image, /dirent.nid/);
  });

  it('rejects nids outside the image, truncation and bad names', () => {
    const far = base();
    new DataView(far.buffer).setBigUint64(direntOffset(far, '/sub', 'loopname'), 1n << 40n, true);
    expectFormatError(far, /dirent.nid/);
    const slash = base();
    slash[Buffer.from(slash).indexOf(Buffer.from('loopname'))] = 0x2f;
    expectFormatError(slash, /dirent.name/);
    const unsorted = base();
    unsorted[Buffer.from(unsorted).indexOf(Buffer.from('loopname'))] = 0x01;
    expectFormatError(unsorted, /dirent.name/);
  });

  it('rejects an absurd root inode', () => {
    const image = base();
    new DataView(image.buffer).setUint16(1024 + 14, 0xffff, true);
    expectFormatError(image, /inode/);
  });
});

describe('fuzzing the reader', () => {
  const seeds = [
    ...rows.slice(0, 10).map(([vector]) => writeErofsImage(parseDumpfileSync(readFileSync(vectorsPath('composefs', `${vector}.dump`))))),
    writeErofsImage(hardLinksToEveryType()),
    writeErofsImage(longSymlinks()),
  ];

  const mutation = fc.record({
    seed: fc.nat(seeds.length - 1),
    flips: fc.array(
      fc.record({
        region: fc.constantFrom('superblock', 'inodes', 'anywhere'),
        at: fc.nat(),
        value: fc.nat(255),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    truncate: fc.option(fc.nat(), { freq: 4 }),
  });

  it('throws only typed errors and always terminates', () => {
    fc.assert(
      fc.property(mutation, ({ seed, flips, truncate }) => {
        let image = seeds[seed]!.slice();
        const metaEnd = Math.min(image.length, 16384);
        for (const { region, at, value } of flips) {
          const pos =
            region === 'superblock' ? 1024 + (at % 128) : region === 'inodes' ? 1152 + (at % (metaEnd - 1152)) : at % image.length;
          image[pos] = value;
        }
        if (truncate !== null) image = image.subarray(0, truncate % image.length);
        try {
          const read = readErofsImage(image);
          dumpOf(read);
        } catch (error) {
          if (!MetalayerError.isInstance(error)) throw error;
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('survives garbage in every superblock and header field', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.nat(127), fc.integer({ min: 0, max: 0xffffffff }), (seed, field, value) => {
        const image = seeds[seed]!.slice();
        // Fields 0..7: the 32-byte composefs header; 8..127: the superblock, as u32 words.
        const offset = field < 8 ? field * 4 : 1024 + (((field - 8) * 4) % 128);
        new DataView(image.buffer).setUint32(offset, value, true);
        try {
          dumpOf(readErofsImage(image));
        } catch (error) {
          if (!MetalayerError.isInstance(error)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
