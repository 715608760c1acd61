import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LimitExceededError, type Descriptor, type ImageStore, type PayloadFile, type StrategyContext } from '@metalayer/core';
import { lazyFileSource } from '@metalayer/boot/node';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { PayloadFormatError } from '../errors/payload-format-error';

/** Largest payload file (UKI, kernel, initrd) metalayer extracts from a layer or artifact. */
export const MAX_PAYLOAD_FILE_SIZE = 1024 * 1024 * 1024;

/** A layer path without leading `/` or `./` and without a trailing `/` (how tar names vary). */
export function normalizeLayerPath(name: string): string {
  return name.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
}

let counter = 0;

/**
 * Streams one layer (verifying its digest and diff_id) and copies the regular
 * files at `paths` into `ctx.tempDir`. Returns them by path; a missing path,
 * a non-regular file or an oversized one throws `PayloadFormatError` /
 * `LimitExceededError`. Results are only returned after the whole layer was
 * read and verified.
 */
export async function extractLayerFiles(
  ctx: StrategyContext,
  store: ImageStore,
  layer: Descriptor,
  diffId: string,
  paths: readonly string[],
): Promise<Map<string, PayloadFile>> {
  const wanted = new Set(paths.map(normalizeLayerPath));
  const written = new Map<string, string>();
  const subject = `${store.location}: layer ${layer.digest}`;
  for await (const { header, body } of readStoredLayer(store, layer, { diffId, ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
    const path = normalizeLayerPath(byteStringToUtf8(header.name));
    if (!wanted.has(path)) continue;
    if (header.type !== 'file') throw new PayloadFormatError({ subject, reason: `${path} is a ${header.type}, not a regular file` });
    if (header.size > MAX_PAYLOAD_FILE_SIZE) {
      throw new LimitExceededError({
        limit: 'MAX_PAYLOAD_FILE_SIZE',
        maximum: MAX_PAYLOAD_FILE_SIZE,
        actual: header.size,
        subject: `${subject}: ${path}`,
      });
    }
    const file = join(ctx.tempDir, `layer-${process.pid}-${counter++}-${path.split('/').pop()}`);
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    written.set(path, file);
  }
  const files = new Map<string, PayloadFile>();
  for (const path of wanted) {
    const file = written.get(path);
    if (!file) throw new PayloadFormatError({ subject, reason: `${path} is not in the layer` });
    files.set(path, { name: path.split('/').pop()!, data: await lazyFileSource(file) });
  }
  return files;
}
