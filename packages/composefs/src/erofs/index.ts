export {
  planErofsImage,
  writeErofsImage,
  writeErofsImageFile,
  computeErofsImageDigest,
  type ErofsWriteOptions,
  type ErofsFileWriteOptions,
  type ErofsImagePlan,
  type ErofsWriteResult,
} from './write-image';
export { resolveVersionRange, type ComposefsVersion, type VersionRange } from './version';
export { erofsDirectorySize, WHITEOUT_TABLE_NAMES } from './directory-layout';
export { xxh32 } from './xxh32';
export { readErofsImage, readErofsImageFile, erofsImageDumpLines, type ErofsImage } from './read-image';
