import { InvalidArgumentError } from '@metalayer/core';

/** Hash algorithms fs-verity (and composefs) use: SHA-256 (`hash_algorithm` 1) or SHA-512 (2). */
export type FsVerityAlgorithm = 'sha256' | 'sha512';

/** Parameters of one fs-verity hash algorithm (Linux `fsverity_descriptor`, 4096-byte blocks). */
export interface FsVerityAlgorithmInfo {
  readonly name: FsVerityAlgorithm;
  /** `hash_algorithm` byte of the descriptor and of the overlay metacopy xattr. */
  readonly id: 1 | 2;
  /** Digest size in bytes. */
  readonly digestSize: 32 | 64;
}

/** Block size composefs uses for fs-verity: 4096 (log_blocksize 12). */
export const FSVERITY_BLOCK_SIZE = 4096;
/** log2 of {@link FSVERITY_BLOCK_SIZE}. */
export const FSVERITY_LOG_BLOCK_SIZE = 12;

const INFO: Record<FsVerityAlgorithm, FsVerityAlgorithmInfo> = {
  sha256: { name: 'sha256', id: 1, digestSize: 32 },
  sha512: { name: 'sha512', id: 2, digestSize: 64 },
};

/** Parameters for `algorithm`. */
export function fsverityAlgorithmInfo(algorithm: FsVerityAlgorithm): FsVerityAlgorithmInfo {
  const info = INFO[algorithm];
  if (info === undefined) {
    throw new InvalidArgumentError({
      argument: 'algorithm',
      value: algorithm,
      message: `unknown fs-verity algorithm ${String(algorithm)} (expected sha256 or sha512)`,
    });
  }
  return info;
}

/** The algorithm whose digests are `size` bytes long, if any (32 → sha256, 64 → sha512). */
export function fsverityAlgorithmForDigestSize(size: number): FsVerityAlgorithm | undefined {
  if (size === 32) return 'sha256';
  if (size === 64) return 'sha512';
  return undefined;
}
