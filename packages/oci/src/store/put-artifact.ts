import { EMPTY_BLOB, EMPTY_DESCRIPTOR, MediaType } from '../media-types';
import { encodeJson } from '../parse-json';
import type { Descriptor } from '@metalayer/core';
import type { ImageStore } from '@metalayer/core';

/** One file of an artifact. */
export interface ArtifactBlob {
  mediaType: string;
  content: Uint8Array | AsyncIterable<Uint8Array>;
  /** Needed with streamed content so the store can verify it; computed for bytes. */
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
}

/** Options of {@link putArtifact}. */
export interface PutArtifactOptions {
  /** The artifact's type (required by the spec when the config is empty). */
  artifactType: string;
  /** The manifest the artifact refers to (registered as a referrer of it). */
  subject?: Descriptor;
  blobs: ArtifactBlob[];
  annotations?: Record<string, string>;
  /** Optional tag (e.g. a friendly name so skopeo/umoci can address it in a layout). */
  tag?: string;
  signal?: AbortSignal;
}

/**
 * Builds the manifest of an artifact the way image-spec v1.1 recommends
 * ("Guidelines for Artifact Usage", case 2): `artifactType`, the empty
 * config, files as layers, optional `subject`. Never emits the removed
 * `application/vnd.oci.artifact.manifest.v1+json`.
 */
export function artifactManifest(
  artifactType: string,
  layers: Descriptor[],
  subject?: Descriptor,
  annotations?: Record<string, string>,
): Uint8Array {
  return encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: layers.length ? layers : [EMPTY_DESCRIPTOR],
    ...(subject ? { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } } : {}),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  });
}

/**
 * Stores an artifact: the empty config blob (registries check it exists),
 * each file, then the manifest, which the store registers as a referrer of
 * `subject` (layout `index.json` entry, referrers API or fallback tag).
 */
export async function putArtifact(store: ImageStore, options: PutArtifactOptions): Promise<{ descriptor: Descriptor; bytes: Uint8Array }> {
  const { signal } = options;
  await store.putBlob(EMPTY_BLOB, {
    expected: { digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size },
    ...(signal ? { signal } : {}),
  });
  const layers: Descriptor[] = [];
  for (const blob of options.blobs) {
    const expected = blob.digest !== undefined && blob.size !== undefined ? { digest: blob.digest, size: blob.size } : undefined;
    const info = await store.putBlob(blob.content, { ...(expected ? { expected } : {}), ...(signal ? { signal } : {}) });
    layers.push({ mediaType: blob.mediaType, ...info, ...(blob.annotations ? { annotations: blob.annotations } : {}) });
  }
  const bytes = artifactManifest(options.artifactType, layers, options.subject, options.annotations);
  const descriptor = await store.putManifest(bytes, {
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    ...(signal ? { signal } : {}),
  });
  return { descriptor: { ...descriptor, artifactType: options.artifactType }, bytes };
}
