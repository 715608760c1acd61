// Public API of @metalayer/composefs: named re-exports only.
export {
  FSVERITY_BLOCK_SIZE,
  FSVERITY_LOG_BLOCK_SIZE,
  fsverityAlgorithmInfo,
  fsverityAlgorithmForDigestSize,
  FsVerityHasher,
  createFsVerityHasher,
  fsverityDigest,
  fsverityDigestFile,
  fsverityDigestStream,
  type FsVerityAlgorithm,
  type FsVerityAlgorithmInfo,
  type FsVerityStreamOptions,
} from './fsverity/index';
export { toHex, fromHex } from './util/hex';
