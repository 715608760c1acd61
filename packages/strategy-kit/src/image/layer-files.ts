import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LimitExceededError, type StrategyContext } from '@metalayer/core';

/** Largest payload file (UKI, kernel, initrd) metalayer extracts from a layer or artifact. */
export const MAX_PAYLOAD_FILE_SIZE = 1024 * 1024 * 1024;

/** A layer path without leading `/` or `./` and without a trailing `/` (how tar names vary). */
export function normalizeLayerPath(name: string): string {
  return name.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
}

let counter = 0;

/**
 * Copies a layer entry's body (of `size` bytes, checked against
 * `MAX_PAYLOAD_FILE_SIZE` first) into a new file under `ctx.tempDir` and
 * returns its path. `subject` names the entry in errors.
 */
export async function spoolEntry(ctx: StrategyContext, size: number, body: AsyncIterable<Uint8Array>, subject: string): Promise<string> {
  if (size > MAX_PAYLOAD_FILE_SIZE) {
    throw new LimitExceededError({ limit: 'MAX_PAYLOAD_FILE_SIZE', maximum: MAX_PAYLOAD_FILE_SIZE, actual: size, subject });
  }
  const file = join(ctx.tempDir, `layer-file-${process.pid}-${counter++}`);
  await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  return file;
}
