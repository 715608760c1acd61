import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LimitExceededError, type Descriptor, type ImageStore, type StrategyContext } from '@metalayer/core';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { MAX_PAYLOAD_FILE_SIZE, normalizeLayerPath, PayloadFormatError } from '@metalayer/strategy-kit';
import { MAX_META_LAYER_ENTRIES, PRIVATE_DIRECTORY, WHITEOUT_PREFIX } from './private-directory';

/** A regular file extracted from the meta layer. */
export interface ExtractedFile {
  /** Where it was written, under `ctx.tempDir`. */
  readonly file: string;
  readonly size: number;
}

let counter = 0;

/**
 * Streams the meta layer (blob digest and diff_id verified) and copies every
 * regular file into `ctx.tempDir`, keyed by its path inside the private
 * directory. The layer must hold nothing but directories and regular files
 * below `/<private directory>`: anything else (a path outside it, a
 * whiteout, a link, a device, a duplicate, `.`/`..` components) means it is
 * not a layer this strategy wrote, and throws `PayloadFormatError`.
 * Returns only after the whole layer was read and verified.
 */
export async function readMetaLayer(
  ctx: StrategyContext,
  store: ImageStore,
  layer: Descriptor,
  diffId: string,
): Promise<Map<string, ExtractedFile>> {
  const subject = `${store.location}: meta layer ${layer.digest}`;
  const fail = (reason: string): never => {
    throw new PayloadFormatError({ subject, reason });
  };
  const seen = new Set<string>();
  const files = new Map<string, ExtractedFile>();
  for await (const { header, body } of readStoredLayer(store, layer, { diffId, ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
    if (seen.size >= MAX_META_LAYER_ENTRIES) {
      throw new LimitExceededError({ limit: 'MAX_META_LAYER_ENTRIES', maximum: MAX_META_LAYER_ENTRIES, actual: seen.size + 1, subject });
    }
    const name = normalizeLayerPath(byteStringToUtf8(header.name));
    const parts = name.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) fail(`entry ${JSON.stringify(name)} is not a normalised path`);
    if (parts[0] !== PRIVATE_DIRECTORY) fail(`entry ${JSON.stringify(name)} lies outside /${PRIVATE_DIRECTORY}`);
    if (parts.some((p) => p.startsWith(WHITEOUT_PREFIX))) fail(`entry ${JSON.stringify(name)} is a whiteout`);
    if (seen.has(name)) fail(`entry ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    if (header.type === 'directory') continue;
    if (parts.length === 1) fail(`/${PRIVATE_DIRECTORY} is a ${header.type}, not a directory`);
    if (header.type !== 'file')
      fail(`entry ${JSON.stringify(name)} is a ${header.type}; the meta layer holds only directories and regular files`);
    if (header.size > MAX_PAYLOAD_FILE_SIZE) {
      throw new LimitExceededError({
        limit: 'MAX_PAYLOAD_FILE_SIZE',
        maximum: MAX_PAYLOAD_FILE_SIZE,
        actual: header.size,
        subject: `${subject}: ${name}`,
      });
    }
    const file = join(ctx.tempDir, `hidden-whiteout-${process.pid}-${counter++}`);
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    files.set(parts.slice(1).join('/'), { file, size: header.size });
  }
  return files;
}
