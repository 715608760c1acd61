import { METALAYER_KEY_PREFIX } from '@metalayer/strategy-kit';

// Media types and annotation keys of the boot artifact. Our own types live in
// the vendor tree under our reverse-DNS name (RFC 6838 §3.2), as the OCI
// artifact guidance asks ("Guidelines for Artifact Usage", case 2: blobs, no
// config). Version 1 of the format is exactly what this file lists.

/** Registry key and CLI name of the strategy; also the value of its `dev.metalayer.strategy` annotation. */
export const STRATEGY_NAME = 'artifact';

/** `artifactType` of the artifact manifest that carries a boot payload. */
export const ARTIFACT_TYPE = 'application/vnd.dev.metalayer.boot.v1';

/** What an artifact blob is; the `dev.metalayer.payload.role` annotation repeats it. */
export type ArtifactRole = 'uki' | 'kernel' | 'initrd' | 'entry' | 'os-release';

/** Media type of each blob role (the artifact's `layers`). */
export const PAYLOAD_MEDIA_TYPES: Readonly<Record<ArtifactRole, string>> = {
  /** A Unified Kernel Image (PE), command line sealed. */
  uki: 'application/vnd.dev.metalayer.boot.uki.v1',
  /** A BLS type #1 kernel image (`linux`). */
  kernel: 'application/vnd.dev.metalayer.boot.kernel.v1',
  /** A BLS type #1 initrd, in boot order. */
  initrd: 'application/vnd.dev.metalayer.boot.initrd.v1',
  /** The BLS type #1 entry text: `title`, `version`, `options` (sealed), `linux`, `initrd` naming the other blobs by title. */
  entry: 'application/vnd.dev.metalayer.boot.entry.v1',
  /** os-release of the image the kernel boots (BLS payloads that carry one). */
  'os-release': 'application/vnd.dev.metalayer.boot.os-release.v1',
};

/** The role a media type stands for, or undefined for a type the format does not define. */
export function roleOfMediaType(mediaType: string): ArtifactRole | undefined {
  for (const [role, type] of Object.entries(PAYLOAD_MEDIA_TYPES)) if (type === mediaType) return role as ArtifactRole;
  return undefined;
}

/** Manifest annotation: `uki` or `bls`. */
export const KEY_PAYLOAD_KIND = `${METALAYER_KEY_PREFIX}payload.kind`;

/** Manifest annotation: `uname -r` of the kernel, when known. */
export const KEY_KERNEL_VERSION = `${METALAYER_KEY_PREFIX}kernel.version`;

/** Title (file name) of the BLS entry blob. */
export const ENTRY_FILE_NAME = 'entry.conf';

/** Title (file name) of the os-release blob. */
export const OS_RELEASE_FILE_NAME = 'os-release';

/** Most blobs an artifact may list (a kernel, an entry, an os-release and initrds). */
export const MAX_ARTIFACT_LAYERS = 64;
