export {
  ComposefsRepository,
  objectName,
  readRepositoryMeta,
  isComposefsRepository,
  OBJECTS_DIR,
  IMAGES_DIR,
  IMAGE_REFS_DIR,
  REPOSITORY_OBJECT_MODE,
  type OpenRepositoryOptions,
  type ObjectWriter,
  type ObjectStatus,
  type RepositoryStats,
  type VerityPolicy,
  type WriteObjectOptions,
  type VerityState,
} from './composefs-repository';
export {
  formatRepositoryMeta,
  parseRepositoryMeta,
  repositoryAlgorithmName,
  parseRepositoryAlgorithm,
  REPOSITORY_META_FILE,
  REPOSITORY_FORMAT_VERSION,
  FEATURE_V1_EROFS,
  MAX_REPOSITORY_META_SIZE,
  type RepositoryMeta,
  type RepositoryErofsVersion,
} from './repository-meta';
export { RepositoryError, type RepositoryErrorReason } from './repository-error';
export { enableFsVerity, measureFsVerity, FSVERITY_TOOL } from './fsverity-tool';
