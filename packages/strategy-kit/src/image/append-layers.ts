import type { Descriptor, ImageConfig, ImageManifest, ImageStore, ResolvedImage } from '@metalayer/core';
import { encodeJson, MediaType } from '@metalayer/oci';

/** A layer to add on top of an image. */
export interface AppendedLayer {
  /** The layer blob as stored (with its annotations). */
  readonly descriptor: Descriptor;
  /** sha256 of its uncompressed tar. */
  readonly diffId: string;
  /** `history[].created_by` of the config entry added for it. */
  readonly createdBy: string;
  readonly comment?: string;
}

/** What {@link appendLayers} writes besides the layers. */
export interface AppendLayersOptions {
  readonly layers: readonly AppendedLayer[];
  /** Config labels to set (others kept). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Manifest annotations to set (the base's are kept). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Tag to point at the new manifest. */
  readonly tag?: string;
}

/** The new image made by {@link appendLayers}. */
export interface AppendedImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  /** Config and manifest blobs written (layers are the caller's). */
  readonly added: readonly Descriptor[];
}

/** Docker schema 2 media types and their OCI equivalents (same bytes, as skopeo converts them). */
const OCI_EQUIVALENT: Readonly<Record<string, string>> = {
  [MediaType.dockerConfig]: MediaType.imageConfig,
  [MediaType.dockerLayerTarGzip]: MediaType.layerTarGzip,
  [MediaType.dockerManifest]: MediaType.imageManifest,
};

const toOci = (descriptor: Descriptor): Descriptor => {
  const mediaType = OCI_EQUIVALENT[descriptor.mediaType];
  return mediaType ? { ...descriptor, mediaType } : descriptor;
};

/**
 * Writes a new config and manifest that add `layers` on top of `base`: the
 * config gains one `diff_ids` entry and one history entry per layer plus the
 * labels; everything else in config and manifest is kept as it was (unknown
 * fields included). A Docker schema 2 base becomes an OCI manifest over the
 * same blobs. The manifest records the base in `org.opencontainers.image.base.digest`.
 * Deterministic: same inputs, same bytes.
 */
export async function appendLayers(store: ImageStore, base: ResolvedImage, options: AppendLayersOptions): Promise<AppendedImage> {
  const config: ImageConfig = structuredClone(base.config);
  config.rootfs = { ...config.rootfs, diff_ids: [...config.rootfs.diff_ids, ...options.layers.map((l) => l.diffId)] };
  if (config.history) {
    config.history = [
      ...config.history,
      ...options.layers.map((l) => ({ created_by: l.createdBy, ...(l.comment ? { comment: l.comment } : {}) })),
    ];
  }
  if (options.labels && Object.keys(options.labels).length > 0) {
    config.config = { ...config.config, Labels: { ...config.config?.Labels, ...options.labels } };
  }
  const configBytes = encodeJson(config);
  const configBlob = await store.putBlob(configBytes);
  const configDescriptor: Descriptor = { ...toOci(base.manifest.config), ...configBlob };

  const { subject: _subject, ...rest } = base.manifest;
  const manifest: ImageManifest = {
    ...rest,
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    config: configDescriptor,
    layers: [...base.manifest.layers.map(toOci), ...options.layers.map((l) => l.descriptor)],
    annotations: {
      ...base.manifest.annotations,
      'org.opencontainers.image.base.digest': base.descriptor.digest,
      ...options.annotations,
    },
  };
  const manifestDescriptor = await store.putManifest(encodeJson(manifest), {
    mediaType: MediaType.imageManifest,
    ...(options.tag ? { tag: options.tag } : { root: true }),
  });
  return { manifest: manifestDescriptor, config: configDescriptor, added: [configDescriptor, manifestDescriptor] };
}
