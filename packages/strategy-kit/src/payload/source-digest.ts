import { createHash } from 'node:crypto';
import type { ByteSource } from '@metalayer/core';
import { streamSource } from '@metalayer/boot';
import { createFsVerityHasher, type FsVerityAlgorithm } from '@metalayer/composefs';

/** sha256 of a source, as an OCI digest string (`sha256:<hex>`), streamed. */
export async function sha256OfSource(source: ByteSource): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of streamSource(source)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

/** fs-verity digest (hex) of a source, streamed. */
export async function fsverityOfSource(source: ByteSource, algorithm: FsVerityAlgorithm): Promise<string> {
  const hasher = createFsVerityHasher(algorithm);
  for await (const chunk of streamSource(source)) hasher.update(chunk);
  return Buffer.from(hasher.digest()).toString('hex');
}
