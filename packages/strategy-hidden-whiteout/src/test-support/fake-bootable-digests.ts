import { createHash } from 'node:crypto';
import type { ComposefsDigestSpec, ComposefsDigestValue, ImageStore, ResolvedImage, StrategyContext } from '@metalayer/core';

/**
 * Stand-in for `computeBootableDigests` in tests about layer bytes, labels and
 * error paths, which do not depend on the digest's value: a hash of the
 * manifest digest, so snapshots stay the same whatever the digest code does.
 * The conformance suite and the merged-tree tests use the real function.
 */
export async function fakeBootableDigests(
  _ctx: StrategyContext,
  _store: ImageStore,
  image: ResolvedImage,
  specs: readonly ComposefsDigestSpec[],
): Promise<ComposefsDigestValue[]> {
  return specs.map((spec) => ({
    ...spec,
    hex: createHash(spec.algorithm).update(`fake bootable digest of ${image.descriptor.digest} v${spec.erofsVersion}`).digest('hex'),
  }));
}
