/**
 * Media types from the OCI image spec v1.1 (`media-types.md`) and the Docker
 * schema 2 types registries still serve.
 */
export const MediaType = {
  layoutHeader: 'application/vnd.oci.layout.header.v1+json',
  imageIndex: 'application/vnd.oci.image.index.v1+json',
  imageManifest: 'application/vnd.oci.image.manifest.v1+json',
  imageConfig: 'application/vnd.oci.image.config.v1+json',
  empty: 'application/vnd.oci.empty.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerTarGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTarZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  layerNondistributableTar: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  layerNondistributableTarGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  layerNondistributableTarZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerTarGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Manifest media types a registry may return for a manifest GET, best first (the `Accept` list). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.imageManifest,
  MediaType.imageIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
];

/** Whether `mediaType` names an image index (OCI or Docker manifest list). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.imageIndex || mediaType === MediaType.dockerManifestList;
}

/** Whether `mediaType` names a single-image manifest (OCI or Docker schema 2). */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.imageManifest || mediaType === MediaType.dockerManifest;
}

/** The annotation that names a tag on an `index.json` descriptor. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * The empty descriptor (image-spec `manifest.md`, "Guidance for an Empty Descriptor"):
 * the 2-byte blob `{}`, used as the config of artifacts. Registries check it exists.
 */
export const EMPTY_DESCRIPTOR = {
  mediaType: MediaType.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

/** The content of the empty blob. */
export const EMPTY_BLOB: Uint8Array = new Uint8Array([0x7b, 0x7d]);
