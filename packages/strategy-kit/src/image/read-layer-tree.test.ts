import { LimitExceededError } from '@metalayer/core';
import type { TarWriteEntry } from '@metalayer/oci';
import { buildTestImage } from '@metalayer/test-fixtures';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../errors/payload-format-error';
import { readLayerTree, type LayerTreeOptions } from './read-layer-tree';

const enc = new TextEncoder();
const OPTIONS: LayerTreeOptions = { root: 'boot', maxEntries: 8, what: 'test layer' };

describe('readLayerTree', () => {
  const tmp = useTempDir();
  let n = 0;
  const read = async (entries: TarWriteEntry[], options: LayerTreeOptions = OPTIONS) => {
    const { store, image } = await buildTestImage(`${tmp}/l${n++}`, [{ entries }]);
    return readLayerTree({ tempDir: tmp }, store, image.manifest.layers[0]!, image.config.rootfs.diff_ids[0]!, options);
  };

  it('returns the regular files below the root by path, with their bytes', async () => {
    const files = await read([
      { name: 'boot/', type: 'directory' },
      { name: 'boot/EFI/', type: 'directory' },
      { name: './boot/EFI/os.efi', type: 'file', body: enc.encode('uki') },
    ]);
    expect([...files.keys()]).toEqual(['boot/EFI/os.efi']);
    const file = files.get('boot/EFI/os.efi')!;
    expect(file.name).toBe('os.efi');
    expect(new TextDecoder().decode(await file.data.read(0, file.data.size))).toBe('uki');
  });

  it.each([
    ['an entry outside the root', [{ name: 'etc/x', type: 'file' }], /entry "etc\/x" lies outside \/boot/],
    ['a ".." component', [{ name: 'boot/../etc/x', type: 'file' }], /is not a normalised path/],
    ['a whiteout', [{ name: 'boot/.wh.x', type: 'file' }], /is a whiteout/],
    [
      'a duplicate',
      [
        { name: 'boot/', type: 'directory' },
        { name: 'boot/', type: 'directory' },
      ],
      /appears twice/,
    ],
    [
      'a symlink',
      [{ name: 'boot/l', type: 'symlink', linkname: 'x' }],
      /is a symlink; the test layer holds only directories and regular files/,
    ],
    ['a root that is a file', [{ name: 'boot', type: 'file' }], /\/boot must be a directory/],
  ] as [string, TarWriteEntry[], RegExp][])('refuses %s with PayloadFormatError', async (_label, entries, message) => {
    const error = await read(entries).catch((e: unknown) => e);
    expect(PayloadFormatError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('uses the caller’s error for entries outside the root, with the name as archived', async () => {
    const error = await read([{ name: './usr/bin/x', type: 'file' }], {
      ...OPTIONS,
      outside: (path) => new Error(`outside: ${path}`),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('outside: ./usr/bin/x');
  });

  it('stops at maxEntries', async () => {
    const many: TarWriteEntry[] = Array.from({ length: 9 }, (_, i) => ({ name: i ? `boot/d${i}/` : 'boot/', type: 'directory' }));
    const error = await read(many).catch((e: unknown) => e);
    expect(LimitExceededError.isInstance(error)).toBe(true);
  });
});
