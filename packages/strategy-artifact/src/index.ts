// Public API of @metalayer/strategy-artifact: named re-exports only.
export { createArtifactStrategy, ARTIFACT_CAPABILITIES } from './artifact-strategy';
export {
  STRATEGY_NAME,
  ARTIFACT_TYPE,
  PAYLOAD_MEDIA_TYPES,
  KEY_PAYLOAD_KIND,
  KEY_KERNEL_VERSION,
  ENTRY_FILE_NAME,
  OS_RELEASE_FILE_NAME,
  MAX_ARTIFACT_LAYERS,
  type ArtifactRole,
} from './artifact-media-types';
export { MAX_PAYLOAD_NAME_BYTES } from './payload-file-name';
export { findArtifacts, type ArtifactCandidate } from './find-artifacts';
