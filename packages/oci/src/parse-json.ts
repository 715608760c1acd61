import { ManifestFormatError } from './errors/index';
import { digestProblem } from './digest';
import { MAX_BLOB_SIZE } from './limits';
import { isIndexMediaType, MediaType } from './media-types';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, ParsedManifest } from '@metalayer/core';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses JSON bytes into an object, or throws a {@link ManifestFormatError} naming `subject`. */
export function parseJsonObject(bytes: Uint8Array, subject: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new ManifestFormatError({ subject, reason: `malformed JSON: ${(error as Error).message}`, cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestFormatError({ subject, reason: 'expected a JSON object' });
  }
  return value as Record<string, unknown>;
}

function isStringMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** Checks one descriptor's required fields; `field` names it in errors (`layers[2]`). */
export function checkDescriptor(value: unknown, subject: string, field: string): Descriptor {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestFormatError({ subject, field, reason: 'expected a descriptor object' });
  }
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') {
    throw new ManifestFormatError({ subject, field: `${field}.mediaType`, reason: 'missing or not a string' });
  }
  const problem = typeof d.digest === 'string' ? digestProblem(d.digest) : 'missing or not a string';
  if (problem) throw new ManifestFormatError({ subject, field: `${field}.digest`, reason: problem });
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0 || d.size > MAX_BLOB_SIZE) {
    throw new ManifestFormatError({ subject, field: `${field}.size`, reason: `not a valid size: ${JSON.stringify(d.size)}` });
  }
  if (d.annotations !== undefined && !isStringMap(d.annotations)) {
    throw new ManifestFormatError({ subject, field: `${field}.annotations`, reason: 'must map strings to strings' });
  }
  return d as unknown as Descriptor;
}

/**
 * Parses a manifest or index. The kind comes from `mediaType` in the JSON,
 * else from `expectedMediaType` (registry `Content-Type`, descriptor), else
 * from the shape (`manifests` vs `config`), since skopeo and others omit it.
 */
export function parseManifest(bytes: Uint8Array, subject: string, expectedMediaType?: string): ParsedManifest {
  const doc = parseJsonObject(bytes, subject);
  if (doc.schemaVersion !== 2) {
    throw new ManifestFormatError({ subject, field: 'schemaVersion', reason: `expected 2, got ${JSON.stringify(doc.schemaVersion)}` });
  }
  if (doc.mediaType !== undefined && typeof doc.mediaType !== 'string') {
    throw new ManifestFormatError({ subject, field: 'mediaType', reason: 'not a string' });
  }
  const declared = (doc.mediaType as string | undefined) ?? expectedMediaType;
  const isIndex = declared ? isIndexMediaType(declared) : Array.isArray(doc.manifests) && doc.config === undefined;
  if (doc.subject !== undefined) checkDescriptor(doc.subject, subject, 'subject');
  if (doc.annotations !== undefined && !isStringMap(doc.annotations)) {
    throw new ManifestFormatError({ subject, field: 'annotations', reason: 'must map strings to strings' });
  }
  if (isIndex) {
    if (!Array.isArray(doc.manifests)) throw new ManifestFormatError({ subject, field: 'manifests', reason: 'missing or not an array' });
    doc.manifests.forEach((m, i) => checkDescriptor(m, subject, `manifests[${i}]`));
    return { kind: 'index', mediaType: declared ?? MediaType.imageIndex, bytes, index: doc as unknown as ImageIndex };
  }
  checkDescriptor(doc.config, subject, 'config');
  if (!Array.isArray(doc.layers)) throw new ManifestFormatError({ subject, field: 'layers', reason: 'missing or not an array' });
  doc.layers.forEach((l, i) => checkDescriptor(l, subject, `layers[${i}]`));
  return { kind: 'manifest', mediaType: declared ?? MediaType.imageManifest, bytes, manifest: doc as unknown as ImageManifest };
}

/** Parses an image config and checks `rootfs.diff_ids`. */
export function parseImageConfig(bytes: Uint8Array, subject: string): ImageConfig {
  const doc = parseJsonObject(bytes, subject);
  const rootfs = doc.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (!rootfs || typeof rootfs !== 'object' || !Array.isArray(rootfs.diff_ids)) {
    throw new ManifestFormatError({ subject, field: 'rootfs.diff_ids', reason: 'missing or not an array' });
  }
  rootfs.diff_ids.forEach((d, i) => {
    const problem = typeof d === 'string' ? digestProblem(d) : 'not a string';
    if (problem) throw new ManifestFormatError({ subject, field: `rootfs.diff_ids[${i}]`, reason: problem });
  });
  return doc as unknown as ImageConfig;
}

/** The artifact type the referrers API reports for a manifest: `artifactType`, else `config.mediaType`. */
export function artifactTypeOf(parsed: ParsedManifest): string | undefined {
  if (parsed.kind === 'index') return parsed.index.artifactType;
  return parsed.manifest.artifactType ?? parsed.manifest.config.mediaType;
}

/** The `subject` of a manifest or index, if any. */
export function subjectOf(parsed: ParsedManifest): Descriptor | undefined {
  return parsed.kind === 'index' ? parsed.index.subject : parsed.manifest.subject;
}

/** Serialises a document the way metalayer writes new JSON: compact, key order as given. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
