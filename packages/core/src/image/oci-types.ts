/**
 * OCI image-spec v1.1 JSON shapes. Unknown fields are kept when documents are
 * parsed, and the original bytes travel next to the parsed value, so writers
 * never re-serialise a manifest they did not make.
 */

/** A platform of an index entry (image-spec `image-index.md`). */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

/** A content descriptor (image-spec `descriptor.md`). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Base64 of the content, embedded; verified against digest before use. */
  data?: string;
  artifactType?: string;
  platform?: Platform;
}

/** An image manifest (image-spec `manifest.md`). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

/** An image index (image-spec `image-index.md`); also the shape of a layout's `index.json`. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

/** The parts of an image config (image-spec `config.md`) metalayer reads; the rest is kept. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: { Labels?: Record<string, string>; [extra: string]: unknown };
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean; [extra: string]: unknown }>;
  [extra: string]: unknown;
}

/** A parsed manifest or index with the exact bytes it came from. */
export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; bytes: Uint8Array; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; bytes: Uint8Array; index: ImageIndex };
