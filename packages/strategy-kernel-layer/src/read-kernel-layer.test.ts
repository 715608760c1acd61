import { join } from 'node:path';
import { LimitExceededError, type ImageStore } from '@metalayer/core';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TarWriteEntry } from '@metalayer/oci';
import { LayerOutsideBootError } from './errors/index';
import { createKernelLayerStrategy } from './kernel-layer-strategy';
import { MAX_KERNEL_LAYER_ENTRIES } from './read-kernel-layer';
import { addHandMadeLayer, dir, file, osLayer, writeImage } from './test-support/images';

const UKI = [dir('boot'), dir('boot/EFI'), dir('boot/EFI/Linux'), file('boot/EFI/Linux/os.efi', 'MZ not really a UKI')];

describe('the structure check of a kernel layer (locate)', () => {
  const tmp = useTempDir('kernel-layer-read-');
  const ctx = { tempDir: tmp };
  const strategy = createKernelLayerStrategy();
  let store: ImageStore;
  let count = 0;
  beforeAll(async () => {
    ({ store } = await writeImage(join(tmp, 'layout'), [osLayer()]));
  });
  const locate = async (entries: TarWriteEntry[]) => {
    const manifest = await addHandMadeLayer(store, 'base', entries, {}, `t${count++}`);
    return strategy.locate(ctx, { store, reference: manifest.digest }).catch((e: unknown) => e);
  };

  it('refuses a "kernel layer" that also writes /usr/bin/x: it would change the root that boots', async () => {
    const error = await locate([...UKI, dir('usr'), dir('usr/bin'), file('usr/bin/x', 'sneaky\n')]);
    expect(LayerOutsideBootError.isInstance(error)).toBe(true);
    expect((error as LayerOutsideBootError).path).toBe('usr/');
  });

  it.each<[string, TarWriteEntry]>([
    ['a root entry', dir('.')],
    ['a /-rooted root entry', { name: '/', type: 'directory' }],
    ['a path climbing out of /boot', file('boot/../usr/bin/x', 'x')],
    ['a path with an empty component', file('boot//x', 'x')],
    ['a top-level whiteout', file('.wh.usr', '')],
    ['a sibling whose name starts with boot', file('bootx/y', 'y')],
  ])('refuses %s with LayerOutsideBootError', async (_, entry) => {
    const error = await locate([...UKI, entry]);
    expect(LayerOutsideBootError.isInstance(error), String(error)).toBe(true);
  });

  it.each<[string, TarWriteEntry[]]>([
    ['a whiteout inside /boot', [...UKI, file('boot/.wh.keep', '')]],
    ['a symlink', [...UKI, { name: 'boot/EFI/Linux/link.efi', type: 'symlink', linkname: '/usr/bin/x' }]],
    [
      'a hard link to a file outside /boot',
      [...UKI, { name: 'boot/EFI/Linux/hard.efi', type: 'hardlink', linkname: 'usr/lib/os-release' }],
    ],
    ['a duplicate entry', [...UKI, file('boot/EFI/Linux/os.efi', 'again')]],
    ['/boot replaced by a file', [file('boot', 'not a dir')]],
  ])('refuses %s with PayloadFormatError', async (_, entries) => {
    const error = await locate(entries);
    expect(PayloadFormatError.isInstance(error), String(error)).toBe(true);
  });

  it(`refuses more than MAX_KERNEL_LAYER_ENTRIES (${MAX_KERNEL_LAYER_ENTRIES}) entries`, async () => {
    const many = Array.from({ length: MAX_KERNEL_LAYER_ENTRIES }, (_, i) => dir(`boot/d${i}`));
    const error = await locate([...UKI, ...many]);
    expect(LimitExceededError.isInstance(error), String(error)).toBe(true);
  });
});
