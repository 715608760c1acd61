import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_DIGEST_SPEC,
  type AttachResult,
  type BootPayload,
  type Descriptor,
  type ImageIndex,
  type ImageStore,
} from '@metalayer/core';
import { BASE_TAG, writeBaseImage, type BaseImage } from '@metalayer/conformance';
import { openLayout, putArtifact, type ArtifactBlob } from '@metalayer/oci';
import { KEY_PAYLOAD_ROLE, KEY_TITLE } from '@metalayer/strategy-kit';
import { createArtifactStrategy } from '../artifact-strategy';
import { ARTIFACT_TYPE, KEY_PAYLOAD_KIND, PAYLOAD_MEDIA_TYPES, type ArtifactRole } from '../artifact-media-types';

/** Base layouts for one test file: the conformance base image, copied fresh per case. */
export function baseLayouts(tmp: string): { base: () => BaseImage; fresh: () => Promise<string>; setup: () => Promise<void> } {
  let base: BaseImage | undefined;
  let count = 0;
  return {
    base: () => base!,
    setup: async () => {
      base = await writeBaseImage(join(tmp, 'base'));
    },
    fresh: async () => {
      const dir = join(tmp, `layout-${count++}`);
      await cp(base!.dir, dir, { recursive: true });
      return dir;
    },
  };
}

/** Attaches `payload` to the image `reference` (default: the base tag) of `store` with the default digest spec. */
export function attachTo(tempDir: string, store: ImageStore, payload: BootPayload, reference = BASE_TAG): Promise<AttachResult> {
  return createArtifactStrategy().attach({ tempDir }, { image: { store, reference }, payload, digest: DEFAULT_DIGEST_SPEC });
}

/**
 * Replaces every digest in `json` by a name (`<base manifest>`, `<vmlinuz>`),
 * so snapshots pin the exact bytes around digests that depend on the host's
 * zlib (gzip layers of the base image) or systemd stub (UKI).
 */
export function redact(json: string, names: ReadonlyMap<string, string>): string {
  let out = json;
  for (const [digest, name] of names) out = out.split(digest).join(`<${name}>`);
  return out;
}

/** The layout's `index.json`. */
export async function readIndexJson(dir: string): Promise<ImageIndex> {
  return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ImageIndex;
}

/** One file of a hand-made artifact. */
export interface RawFile {
  role: ArtifactRole;
  title: string;
  content: Uint8Array;
  /** Overrides of the layer descriptor (wrong media type, role, …). */
  mediaType?: string;
  annotations?: Record<string, string>;
}

const enc = new TextEncoder();

/** Writes an artifact by hand (bypassing the strategy), to build hostile or competing artifacts. */
export async function putRawArtifact(
  store: ImageStore,
  subject: Descriptor,
  files: RawFile[],
  options: { kind?: string; artifactType?: string; annotations?: Record<string, string> } = {},
): Promise<Descriptor> {
  const blobs: ArtifactBlob[] = files.map((f) => ({
    mediaType: f.mediaType ?? PAYLOAD_MEDIA_TYPES[f.role],
    content: f.content,
    annotations: f.annotations ?? { [KEY_TITLE]: f.title, [KEY_PAYLOAD_ROLE]: f.role },
  }));
  const annotations = { [KEY_PAYLOAD_KIND]: options.kind ?? 'uki', ...options.annotations };
  const { descriptor } = await putArtifact(store, { artifactType: options.artifactType ?? ARTIFACT_TYPE, subject, blobs, annotations });
  return descriptor;
}

/** Bytes of a text. */
export const text = (s: string): Uint8Array => enc.encode(s);

/** Opens a layout. */
export const layout = (dir: string) => openLayout(dir);
