import { join } from 'node:path';
import { PayloadNotFoundError } from '@metalayer/core';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernelLayerStrategy } from './kernel-layer-strategy';
import { addHandMadeLayer, dir, file, osLayer, writeImage, type HandMadeMarks } from './test-support/images';
import type { ImageStore } from '@metalayer/core';

const UKI_LAYER = [dir('boot'), dir('boot/EFI'), dir('boot/EFI/Linux'), file('boot/EFI/Linux/os.efi', 'MZ not really a UKI')];

describe('finding the kernel layer by its marks', () => {
  const tmp = useTempDir('kernel-layer-marks-');
  const ctx = { tempDir: tmp };
  const strategy = createKernelLayerStrategy();
  let store: ImageStore;
  let count = 0;
  beforeAll(async () => {
    ({ store } = await writeImage(join(tmp, 'layout'), [osLayer()]));
  });
  const locateWith = async (marks: HandMadeMarks) => {
    const manifest = await addHandMadeLayer(store, 'base', UKI_LAYER, marks, `t${count++}`);
    return strategy.locate(ctx, { store, reference: manifest.digest });
  };

  it('finds a layer whose label and annotation agree (positive control)', async () => {
    const located = await locateWith({});
    expect(located.payload.kind).toBe('uki');
    expect(located.origin).toMatchObject({ kind: 'layer', paths: ['boot/EFI/Linux/os.efi'] });
    expect(await strategy.detect(ctx, { store, reference: located.image.descriptor.digest })).toBe(true);
  });

  it('reports PayloadNotFoundError for an image without marks, even if /boot holds a UKI', async () => {
    const error = await locateWith({ label: 'none', annotate: false }).catch((e: unknown) => e);
    expect(PayloadNotFoundError.isInstance(error)).toBe(true);
  });

  it.each<[string, HandMadeMarks]>([
    ['an annotation without the label', { label: 'none' }],
    ['a label without the annotation', { annotate: false }],
    ['a label naming another diff_id', { label: `sha256:${'0'.repeat(64)}` }],
    ['another strategy label', { strategy: 'hidden-whiteout' }],
    ['a layer above the kernel layer', { above: [[dir('usr'), file('usr/late', 'changes the root\n')]] }],
  ])('refuses %s with PayloadFormatError', async (_, marks) => {
    const error = await locateWith(marks).catch((e: unknown) => e);
    expect(PayloadFormatError.isInstance(error), String(error)).toBe(true);
  });

  it('detect is true when only one mark is present (so attach refuses it too)', async () => {
    const manifest = await addHandMadeLayer(store, 'base', UKI_LAYER, { label: 'none' }, 'one-mark');
    expect(await strategy.detect(ctx, { store, reference: manifest.digest })).toBe(true);
    expect(await strategy.detect(ctx, { store, reference: 'base' })).toBe(false);
  });
});
