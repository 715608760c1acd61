import { join } from 'node:path';
import { DEFAULT_DIGEST_SPEC, type ComposefsDigestSpec, type StrategyContext } from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, testStrategy, writeBaseImage } from '@metalayer/conformance';
import { resolveImage } from '@metalayer/oci';
import { computeBootableDigests } from '@metalayer/strategy-kit';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { createHiddenWhiteoutStrategy } from './hidden-whiteout-strategy';

testStrategy({ create: () => createHiddenWhiteoutStrategy() });

describe.skipIf(!haveStub())('hidden-whiteout: the attached image boots the base root', () => {
  const tmp = useTempDir('hidden-whiteout-digest-');
  const ctx: StrategyContext = { tempDir: tmp };
  const specs: ComposefsDigestSpec[] = [
    { algorithm: 'sha512', erofsVersion: 1 },
    { algorithm: 'sha256', erofsVersion: 1 },
    { algorithm: 'sha256', erofsVersion: 0 },
  ];

  it.each([['uki'], ['bls']] as const)('%s: every bootable digest of the attached image equals the base image’s', async (kind) => {
    const base = await writeBaseImage(join(tmp, `layout-${kind}`));
    const payload = kind === 'uki' ? await makeUkiPayload(tmp, `digest-${kind}`) : await makeBlsPayload(tmp, `digest-${kind}`);
    const result = await createHiddenWhiteoutStrategy().attach(ctx, {
      image: { store: base.store, reference: BASE_TAG },
      tag: 'attached',
      payload,
      digest: DEFAULT_DIGEST_SPEC,
    });
    const baseDigests = await computeBootableDigests(ctx, base.store, await resolveImage(base.store, BASE_TAG), specs);
    const attachedDigests = await computeBootableDigests(ctx, base.store, await resolveImage(base.store, result.image.digest), specs);
    expect(attachedDigests).toEqual(baseDigests);
    expect(result.composefsDigest).toEqual(baseDigests[0]);
  });
});
