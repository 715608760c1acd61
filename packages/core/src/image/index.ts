export type { Descriptor, Platform, ImageManifest, ImageIndex, ImageConfig, ParsedManifest } from './oci-types';
export type {
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
} from './image-store';
