export { METALAYER_KEY_PREFIX, KEY_STRATEGY, KEY_LAYER_ROLE, KEY_PAYLOAD_ROLE, KEY_TITLE, bootableDigestKey } from './labels';
export { PayloadFormatError } from './errors/payload-format-error';
export { sha256OfSource, fsverityOfSource } from './payload/source-digest';
export { readComposefsDigests } from './payload/payload-digests';
export { sealPayload, composefsArgFor } from './payload/seal-payload';
export { payloadFiles, payloadFingerprint, type PayloadRole } from './payload/payload-files';
export { appendLayers, type AppendedLayer, type AppendLayersOptions, type AppendedImage } from './image/append-layers';
export { normalizeLayerPath, spoolEntry, MAX_PAYLOAD_FILE_SIZE } from './image/layer-files';
export { readLayerTree, type LayerTreeOptions } from './image/read-layer-tree';
export {
  analyzeImage,
  computeBootableDigests,
  readDirectoryStats,
  type AnalyzeImageRequest,
  type DirectoryStat,
  type ImageAnalysis,
  type ListingRequest,
  type MergedTreeFacts,
  type TreeEntry,
  type TreeEntryKind,
} from './image/analyze-image';
export { readImageFiles } from './image/read-image-files';
export { createVerifyDependencies } from './verify-dependencies';
