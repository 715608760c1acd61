import type { Descriptor, ImageConfig, ImageManifest, ParsedManifest } from './oci-types';

/** Digest and size of stored content. */
export interface BlobInfo {
  digest: string;
  size: number;
}

/**
 * A digest computed as content streams by, possibly on another thread. It
 * must not keep the chunks it is given (copy them if it needs them later).
 */
export interface StreamHasher {
  update(chunk: Uint8Array): void;
  /** No more content: resolves to `<algorithm>:<hex>`. */
  end(): Promise<string>;
}

/** Starts a {@link StreamHasher} for one of the digest algorithms stores verify. */
export type StreamHasherFactory = (algorithm: 'sha256' | 'sha512') => StreamHasher;

/** Options of {@link ImageStore.openBlob}. */
export interface OpenBlobOptions {
  /**
   * Computes the digest the blob is checked against (for example in a worker
   * thread). Only where the hashing runs changes: the check itself is
   * mandatory. Default: `node:crypto` on the calling thread.
   */
  hasher?: StreamHasherFactory;
}

/** Options of {@link ImageStore.putBlob}. */
export interface PutBlobOptions {
  /**
   * Digest and size the content must have. The store checks them while
   * writing and throws (leaving nothing behind) on a mismatch; without them
   * the store computes the sha256 digest itself.
   */
  expected?: BlobInfo;
  /** Called with the number of bytes written so far. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

/** Options of {@link ImageStore.putManifest}. */
export interface PutManifestOptions {
  /** The manifest's media type; defaults to its `mediaType` field (or the shape of the JSON). */
  mediaType?: string;
  /** Tag to point at the manifest. */
  tag?: string;
  /**
   * Layouts only: list the manifest in `index.json` even without a tag
   * (what `skopeo copy … oci:DIR` does). Manifests with a `subject` are always
   * listed (untagged, as oras does) so their referrers can be found.
   */
  root?: boolean;
  signal?: AbortSignal;
}

/** A manifest or index read from a store, with its descriptor. */
export interface StoredManifest {
  /** `mediaType`, `digest`, `size` (and, in a layout, the `index.json` annotations). */
  descriptor: Descriptor;
  parsed: ParsedManifest;
}

/** Options of {@link ImageStore.listReferrers}. */
export interface ListReferrersOptions {
  /** Only referrers with this artifact type. */
  artifactType?: string;
  signal?: AbortSignal;
}

/**
 * Where images live: an OCI image layout directory or a registry repository.
 * Every read of content-addressed data is verified against digest and size;
 * every write is atomic (layout) or verified by the registry.
 */
export interface ImageStore {
  /** `oci:DIR` or `docker://HOST/REPO`, for messages. */
  readonly location: string;
  /** `layout` or `registry`. */
  readonly kind: 'layout' | 'registry';
  /** The size of a stored blob, or `undefined` when absent. */
  statBlob(digest: string, signal?: AbortSignal): Promise<number | undefined>;
  /**
   * Streams a blob. The stream throws `SizeMismatchError` or
   * `DigestMismatchError` (after the last chunk) when the content is not what
   * `descriptor` says: treat the data as untrusted until the iteration ends.
   */
  openBlob(descriptor: BlobInfo, signal?: AbortSignal, options?: OpenBlobOptions): AsyncIterable<Uint8Array>;
  /** Reads a small blob whole (config, JSON), verified; refuses more than `maxSize` bytes. */
  readBlob(descriptor: BlobInfo, maxSize?: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Stores a blob from bytes or a stream; returns its digest and size. */
  putBlob(content: Uint8Array | AsyncIterable<Uint8Array>, options?: PutBlobOptions): Promise<BlobInfo>;
  /** Reads a manifest or index by tag or digest. */
  getManifest(reference: string, signal?: AbortSignal): Promise<StoredManifest>;
  /**
   * Stores a manifest or index (its blobs must already be there). A manifest
   * with a `subject` is also registered as a referrer: in a layout as an
   * untagged `index.json` entry; in a registry without the referrers API by
   * updating the `sha256-<hex>` fallback tag.
   */
  putManifest(bytes: Uint8Array, options?: PutManifestOptions): Promise<Descriptor>;
  /** Tags in the store. */
  listTags(signal?: AbortSignal): Promise<string[]>;
  /** Descriptors of manifests whose `subject` is `digest`, with `artifactType` and annotations. */
  listReferrers(digest: string, options?: ListReferrersOptions): Promise<Descriptor[]>;
}

/** An image resolved from a reference: manifest and config, with bytes and descriptors. */
export interface ResolvedImage {
  /** Descriptor of the image manifest (after platform selection). */
  descriptor: Descriptor;
  manifest: ImageManifest;
  /** The manifest's exact bytes. */
  manifestBytes: Uint8Array;
  /** The index the reference named, when it named one (outermost first). */
  indexes: StoredManifest[];
  config: ImageConfig;
  configBytes: Uint8Array;
}
