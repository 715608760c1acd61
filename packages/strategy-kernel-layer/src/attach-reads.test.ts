import { join } from 'node:path';
import { DEFAULT_DIGEST_SPEC } from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { resolveImage } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { createKernelLayerStrategy } from './kernel-layer-strategy';
import { countingStore } from '@metalayer/test-fixtures';

describe.skipIf(!haveStub())('kernel-layer attach reads the base once', () => {
  const tmp = useTempDir('kernel-layer-reads-');
  const ctx = { tempDir: tmp };

  it.each([['UKI'], ['BLS']])('%s: every base layer blob is streamed exactly once, start to end', async (kind) => {
    const base = await writeBaseImage(join(tmp, kind));
    const { store, opened, bytesRead } = countingStore(base.store);
    const { layers } = (await resolveImage(base.store, BASE_TAG)).manifest;
    const payload = kind === 'UKI' ? await makeUkiPayload(tmp, kind) : await makeBlsPayload(tmp, kind);
    await createKernelLayerStrategy().attach(ctx, { image: { store, reference: BASE_TAG }, payload, digest: DEFAULT_DIGEST_SPEC });
    expect(layers.length).toBeGreaterThan(1);
    for (const layer of layers) {
      expect(opened.get(layer.digest), layer.digest).toBe(1);
      expect(bytesRead.get(layer.digest), layer.digest).toBe(layer.size);
    }
  });
});
