import type { VerifyDependencies } from '@metalayer/core';
import { computeBootableDigests } from './image/analyze-image';
import { readComposefsDigests } from './payload/payload-digests';

/**
 * The real services `verifyPayload` (core) needs: the command-line reader of
 * `@metalayer/boot` and the digest recomputation of `@metalayer/rootfs`.
 */
export function createVerifyDependencies(): VerifyDependencies {
  return { readComposefsDigests, computeBootableDigests };
}
