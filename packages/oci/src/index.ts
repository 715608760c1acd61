// Public API of @metalayer/oci: named re-exports only.
export {
  InvalidReferenceError,
  BlobNotFoundError,
  ManifestNotFoundError,
  LayoutFormatError,
  ManifestFormatError,
  SizeMismatchError,
  TarFormatError,
  RegistryError,
  NetworkError,
  LockTimeoutError,
  UnsupportedMediaTypeError,
  PlatformNotFoundError,
} from './errors/index';
export {
  MediaType,
  MANIFEST_MEDIA_TYPES,
  ANNOTATION_REF_NAME,
  EMPTY_DESCRIPTOR,
  EMPTY_BLOB,
  isIndexMediaType,
  isManifestMediaType,
} from './media-types';
export { MAX_MANIFEST_SIZE, MAX_CONFIG_SIZE, MAX_TAR_META_SIZE, MAX_INDEX_DEPTH, MAX_REFERRER_DEPTH } from './limits';
export {
  digestOf,
  digestProblem,
  isDigest,
  splitDigest,
  hashStream,
  verifyStream,
  cryptoHasher,
  verifyBytes,
  collectBytes,
  type DigestAlgorithm,
  type StreamHash,
  type ExpectedContent,
} from './digest';
export { parseManifest, parseImageConfig, parseJsonObject, checkDescriptor, artifactTypeOf, subjectOf, encodeJson } from './parse-json';
export {
  parseReference,
  formatReference,
  isValidTag,
  isValidRefName,
  type ImageReference,
  type LayoutReference,
  type RegistryReference,
} from './reference';
export { parsePlatform, formatPlatform, selectPlatform, DEFAULT_PLATFORM } from './platform';
export { resolveImage, resolveManifest, type ResolveOptions } from './store/resolve-image';
// The OCI document types and the ImageStore contract live in @metalayer/core (the spec package);
// they are re-exported here for convenience.
export type {
  Descriptor,
  Platform,
  ImageManifest,
  ImageIndex,
  ImageConfig,
  ParsedManifest,
  ImageStore,
  BlobInfo,
  OpenBlobOptions,
  StreamHasher,
  StreamHasherFactory,
  PutBlobOptions,
  PutManifestOptions,
  StoredManifest,
  ListReferrersOptions,
  ResolvedImage,
} from '@metalayer/core';
export { LayoutStore, openLayout, type OpenLayoutOptions } from './layout/layout-store';
export { refNameOf } from './layout/layout-index';
export { collectGarbage, type GcOptions, type GcResult } from './layout/layout-gc';
// Names in tar entries are byte strings; the conversions live in @metalayer/core.
export { bytesToByteString, byteStringToBytes, utf8ToByteString, byteStringToUtf8 } from '@metalayer/core';
export { readTar, type TarEntry, type TarHeader, type ReadTarOptions } from './tar/tar-reader';
export { TarParser, type TarEvent } from './tar/tar-parser';
export { writeTar, type TarWriteEntry } from './tar/tar-writer';
export type { TarEntryType } from './tar/tar-header';
export { parsePaxRecords, encodePaxRecord, parsePaxTime, formatPaxTime, type TarTime } from './tar/pax';
export { compressionOf, compress, decompress, DEFAULT_GZIP_LEVEL, type LayerCompression } from './layer/compression';
export { readLayer, readStoredLayer, openLayerTar, type ReadLayerOptions, type ReadStoredLayerOptions } from './layer/layer-reader';
export { encodeLayer, putLayer, type EncodedLayer, type WriteLayerOptions } from './layer/layer-writer';
export {
  RegistryClient,
  registryError,
  type RegistryClientOptions,
  type RegistryRequest,
  type RegistryScheme,
} from './registry/registry-client';
export { RegistryStore, responseBody } from './registry/registry-store';
export { parseAuthChallenge, basicAuthorization, fetchBearerToken, type AuthChallenge, type RegistryCredentials } from './registry/auth';
export { fallbackTag, detectReferrersApi, listRegistryReferrers } from './registry/referrers';
export { openImageStore, parseCredentials, type OpenStoreOptions, type OpenedStore } from './store/open-store';
export { putArtifact, artifactManifest, type PutArtifactOptions, type ArtifactBlob } from './store/put-artifact';
export { copyImage, type CopyImageOptions, type CopyImageResult, type CopiedBlob } from './copy/copy-image';
