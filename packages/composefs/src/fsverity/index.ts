export {
  FSVERITY_BLOCK_SIZE,
  FSVERITY_LOG_BLOCK_SIZE,
  fsverityAlgorithmInfo,
  fsverityAlgorithmForDigestSize,
  type FsVerityAlgorithm,
  type FsVerityAlgorithmInfo,
} from './fsverity-algorithm';
export { FsVerityHasher, createFsVerityHasher, fsverityDigest } from './fsverity-hasher';
export { fsverityDigestFile, fsverityDigestStream, type FsVerityStreamOptions } from './fsverity-file';
