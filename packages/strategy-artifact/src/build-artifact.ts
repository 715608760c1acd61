import { InvalidArgumentError, type BootPayload, type ComposefsDigestValue, type Descriptor } from '@metalayer/core';
import { streamSource } from '@metalayer/boot';
import { artifactManifest, digestOf, MediaType } from '@metalayer/oci';
import { bootableDigestKey, KEY_PAYLOAD_ROLE, KEY_STRATEGY, KEY_TITLE, sha256OfSource } from '@metalayer/strategy-kit';
import { formatArtifactEntry } from './artifact-entry';
import {
  ARTIFACT_TYPE,
  ENTRY_FILE_NAME,
  KEY_KERNEL_VERSION,
  KEY_PAYLOAD_KIND,
  OS_RELEASE_FILE_NAME,
  PAYLOAD_MEDIA_TYPES,
  STRATEGY_NAME,
  type ArtifactRole,
} from './artifact-media-types';
import { payloadNameProblem } from './payload-file-name';

/** One blob of an artifact about to be written. */
export interface ArtifactBlobPlan {
  /** The layer descriptor (media type, digest, size, title and role annotations). */
  readonly descriptor: Descriptor;
  /** The content, streamed again for every write. */
  readonly content: () => Uint8Array | AsyncIterable<Uint8Array>;
}

/** The exact artifact {@link buildArtifact} made; nothing is written yet. */
export interface ArtifactPlan {
  readonly blobs: readonly ArtifactBlobPlan[];
  readonly manifestBytes: Uint8Array;
  /** Descriptor of the artifact manifest, with `artifactType`. */
  readonly descriptor: Descriptor;
  /** The payload as the artifact carries it (what `locate` returns). */
  readonly payload: BootPayload;
}

const hasLineBreak = (value: string | undefined): boolean => value !== undefined && /[\r\n]/.test(value);
const trimmed = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/**
 * The payload exactly as its entry text round-trips: the BLS format trims
 * values and cannot hold empty titles or line breaks, so `attach` returns the
 * same payload `locate` will read back.
 */
function normalizePayload(payload: BootPayload): BootPayload {
  if (payload.kind === 'uki') return payload;
  for (const [field, value] of [
    ['title', payload.title],
    ['kernelVersion', payload.kernelVersion],
    ['options', payload.options],
  ] as const) {
    if (hasLineBreak(value))
      throw new InvalidArgumentError({ argument: `payload.${field}`, value, message: `the BLS ${field} cannot contain a line break` });
  }
  const { title, kernelVersion, ...rest } = payload;
  return {
    ...rest,
    options: payload.options.trim(),
    ...(trimmed(kernelVersion) !== undefined ? { kernelVersion: trimmed(kernelVersion)! } : {}),
    ...(trimmed(title) !== undefined ? { title: trimmed(title)! } : {}),
  };
}

/** Refuses unsafe or duplicate file names before anything is written. */
function checkNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    const problem = payloadNameProblem(name);
    if (problem) {
      throw new InvalidArgumentError({
        argument: 'payload file name',
        value: name,
        message: `payload file name ${JSON.stringify(name)} ${problem}`,
        hint: 'name payload files with a single plain file name such as vmlinuz or os.efi',
      });
    }
    if (seen.has(name)) {
      throw new InvalidArgumentError({
        argument: 'payload file name',
        value: name,
        message: `two payload files are named ${JSON.stringify(name)} (the artifact carries them under their names; ${ENTRY_FILE_NAME} and ${OS_RELEASE_FILE_NAME} are taken by BLS payloads)`,
      });
    }
    seen.add(name);
  }
}

const encoder = new TextEncoder();

function bytesBlob(role: ArtifactRole, name: string, bytes: Uint8Array): ArtifactBlobPlan {
  return {
    descriptor: {
      mediaType: PAYLOAD_MEDIA_TYPES[role],
      digest: digestOf(bytes),
      size: bytes.byteLength,
      annotations: { [KEY_TITLE]: name, [KEY_PAYLOAD_ROLE]: role },
    },
    content: () => bytes,
  };
}

/**
 * Lays out the artifact of a sealed payload, deterministically: the same
 * payload, image and digest always give the same manifest bytes. Layers: the
 * UKI; or the kernel, the initrds in boot order, the entry text and the
 * os-release when the payload has one. Streams each file once to hash it.
 */
export async function buildArtifact(sealed: BootPayload, subject: Descriptor, digest: ComposefsDigestValue): Promise<ArtifactPlan> {
  const payload = normalizePayload(sealed);
  const files =
    payload.kind === 'uki'
      ? [{ role: 'uki' as const, file: payload.uki }]
      : [{ role: 'kernel' as const, file: payload.kernel }, ...payload.initrds.map((file) => ({ role: 'initrd' as const, file }))];
  checkNames([
    ...files.map(({ file }) => file.name),
    ...(payload.kind === 'bls' ? [ENTRY_FILE_NAME, ...(payload.osRelease !== undefined ? [OS_RELEASE_FILE_NAME] : [])] : []),
  ]);

  const blobs: ArtifactBlobPlan[] = [];
  for (const { role, file } of files) {
    blobs.push({
      descriptor: {
        mediaType: PAYLOAD_MEDIA_TYPES[role],
        digest: await sha256OfSource(file.data),
        size: file.data.size,
        annotations: { [KEY_TITLE]: file.name, [KEY_PAYLOAD_ROLE]: role },
      },
      content: () => streamSource(file.data),
    });
  }
  if (payload.kind === 'bls') {
    const entry = formatArtifactEntry({
      title: payload.title,
      version: payload.kernelVersion,
      options: payload.options,
      linux: payload.kernel.name,
      initrds: payload.initrds.map((f) => f.name),
    });
    blobs.push(bytesBlob('entry', ENTRY_FILE_NAME, encoder.encode(entry)));
    if (payload.osRelease !== undefined) blobs.push(bytesBlob('os-release', OS_RELEASE_FILE_NAME, encoder.encode(payload.osRelease)));
  }

  const annotations: Record<string, string> = { [KEY_STRATEGY]: STRATEGY_NAME, [KEY_PAYLOAD_KIND]: payload.kind };
  if (payload.kernelVersion !== undefined) annotations[KEY_KERNEL_VERSION] = payload.kernelVersion;
  annotations[bootableDigestKey(digest)] = digest.hex;
  const manifestBytes = artifactManifest(
    ARTIFACT_TYPE,
    blobs.map((b) => b.descriptor),
    subject,
    annotations,
  );
  const descriptor: Descriptor = {
    mediaType: MediaType.imageManifest,
    digest: digestOf(manifestBytes),
    size: manifestBytes.byteLength,
    artifactType: ARTIFACT_TYPE,
  };
  return { blobs, manifestBytes, descriptor, payload };
}
