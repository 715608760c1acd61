import { dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { LimitExceededError } from '@metalayer/core';
import { LayoutFormatError, ManifestFormatError } from '../errors/index';
import { MAX_MANIFEST_SIZE } from '../limits';
import { ANNOTATION_REF_NAME, MediaType } from '../media-types';
import { checkDescriptor, parseJsonObject } from '../parse-json';
import type { Descriptor, ImageIndex } from '@metalayer/core';

/** File names inside a layout (image-spec `image-layout.md`). */
export const LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const BLOBS_DIR = 'blobs';
/** Where blobs are written before they are renamed into `blobs/` (extra entries are allowed; oras uses the same name). */
export const INGEST_DIR = 'ingest';
export const LAYOUT_VERSION = '1.0.0';

/** The `oci-layout` file content we write. */
export const LAYOUT_HEADER = `{"imageLayoutVersion":"${LAYOUT_VERSION}"}`;

function wrap(path: string, error: unknown): never {
  if (ManifestFormatError.isInstance(error)) {
    throw new LayoutFormatError({ path, reason: error.message, cause: error });
  }
  throw error;
}

/** Reads and checks `oci-layout`. */
export async function readLayoutHeader(path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LayoutFormatError({
        path,
        reason: 'missing',
        message: `${dirname(path)} is not an OCI image layout (no oci-layout file)`,
        hint: 'check the oci:DIR path; a layout is created by copying or attaching into it',
        cause: error,
      });
    }
    throw error;
  }
  try {
    const doc = parseJsonObject(bytes, path);
    if (typeof doc.imageLayoutVersion !== 'string') {
      throw new LayoutFormatError({ path, reason: 'imageLayoutVersion missing' });
    }
  } catch (error) {
    wrap(path, error);
  }
}

/**
 * Reads `index.json`, tolerating what other tools write: no top-level
 * `mediaType` (skopeo), unknown entry media types, untagged entries.
 */
export async function readLayoutIndex(path: string): Promise<ImageIndex> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LayoutFormatError({ path, reason: 'missing', cause: error });
    }
    throw error;
  }
  if (bytes.byteLength > MAX_MANIFEST_SIZE) {
    throw new LimitExceededError({ limit: 'MAX_MANIFEST_SIZE', maximum: MAX_MANIFEST_SIZE, actual: bytes.byteLength, subject: path });
  }
  try {
    const doc = parseJsonObject(bytes, path);
    if (doc.schemaVersion !== 2)
      throw new LayoutFormatError({ path, reason: `schemaVersion must be 2, got ${JSON.stringify(doc.schemaVersion)}` });
    if (!Array.isArray(doc.manifests)) throw new LayoutFormatError({ path, reason: 'manifests missing or not an array' });
    doc.manifests.forEach((m, i) => checkDescriptor(m, path, `manifests[${i}]`));
    return doc as unknown as ImageIndex;
  } catch (error) {
    return wrap(path, error);
  }
}

/** Serialises `index.json`; always with `mediaType`, which the spec says SHOULD be set. */
export function encodeLayoutIndex(index: ImageIndex): string {
  const { schemaVersion: _s, mediaType: _m, manifests, ...rest } = index;
  return JSON.stringify({ schemaVersion: 2, mediaType: MediaType.imageIndex, manifests, ...rest });
}

/** The tag of an `index.json` entry, if any. */
export function refNameOf(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[ANNOTATION_REF_NAME];
}

/** A copy of `descriptor` without its tag annotation (and without an emptied `annotations`). */
export function withoutRefName(descriptor: Descriptor): Descriptor {
  const { [ANNOTATION_REF_NAME]: _drop, ...annotations } = descriptor.annotations ?? {};
  const { annotations: _a, ...rest } = descriptor;
  return Object.keys(annotations).length ? { ...rest, annotations } : rest;
}

/** A copy of `descriptor` tagged `tag`. */
export function withRefName(descriptor: Descriptor, tag: string): Descriptor {
  return { ...descriptor, annotations: { ...descriptor.annotations, [ANNOTATION_REF_NAME]: tag } };
}
