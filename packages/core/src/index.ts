export {
  MetalayerError,
  type MetalayerErrorOptions,
  InvalidArgumentError,
  DigestMismatchError,
  LimitExceededError,
  ExternalToolError,
} from './errors/index';
export type {
  Descriptor,
  Platform,
  ImageManifest,
  ImageIndex,
  ImageConfig,
  ParsedManifest,
  ImageStore,
  BlobInfo,
  PutBlobOptions,
  PutManifestOptions,
  StoredManifest,
  ListReferrersOptions,
  ResolvedImage,
} from './image/index';
