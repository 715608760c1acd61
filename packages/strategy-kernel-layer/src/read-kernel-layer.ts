import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LimitExceededError, type ImageStore, type PayloadFile, type StrategyContext } from '@metalayer/core';
import { lazyFileSource } from '@metalayer/boot/node';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { MAX_PAYLOAD_FILE_SIZE, normalizeLayerPath, PayloadFormatError } from '@metalayer/strategy-kit';
import { LayerOutsideBootError } from './errors/index';
import type { KernelLayerMark } from './find-kernel-layer';

/** Most entries (files and directories) a kernel layer may hold; ours hold at most a dozen. */
export const MAX_KERNEL_LAYER_ENTRIES = 256;

const WHITEOUT_PREFIX = '.wh.';

let counter = 0;

/**
 * Streams the kernel layer (verifying digest and diff_id) and checks its
 * structure while doing so: every entry must be a plain directory or regular
 * file strictly at or below `boot` (no root entry, no `.`/`..` components, no
 * links, devices or whiteouts, no duplicates). Regular files are copied into
 * `ctx.tempDir`. Returns them by path (no leading `/`) only after the whole
 * layer was read and verified.
 */
export async function readKernelLayer(ctx: StrategyContext, store: ImageStore, mark: KernelLayerMark): Promise<Map<string, PayloadFile>> {
  const subject = `${store.location}: layer ${mark.layer.digest}`;
  const seen = new Set<string>();
  const written = new Map<string, string>();
  const options = { diffId: mark.diffId, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  for await (const { header, body } of readStoredLayer(store, mark.layer, options)) {
    const path = normalizeLayerPath(header.name);
    const parts = path.split('/');
    if (parts[0] !== 'boot' || parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new LayerOutsideBootError({ layer: subject, path: byteStringToUtf8(header.name) });
    }
    const fail = (reason: string): never => {
      throw new PayloadFormatError({ subject, reason: `${JSON.stringify(byteStringToUtf8(path))}: ${reason}` });
    };
    if (parts[parts.length - 1]!.startsWith(WHITEOUT_PREFIX)) fail('a kernel layer holds no whiteouts (it only adds files)');
    if (seen.has(path)) fail('appears twice in the layer');
    seen.add(path);
    if (seen.size > MAX_KERNEL_LAYER_ENTRIES) {
      throw new LimitExceededError({ limit: 'MAX_KERNEL_LAYER_ENTRIES', maximum: MAX_KERNEL_LAYER_ENTRIES, actual: seen.size, subject });
    }
    if (path === 'boot' && header.type !== 'directory') fail(`is a ${header.type}; /boot must stay a directory`);
    if (header.type === 'directory') continue;
    if (header.type !== 'file') fail(`is a ${header.type}; a kernel layer holds only directories and regular files`);
    if (header.size > MAX_PAYLOAD_FILE_SIZE) {
      throw new LimitExceededError({
        limit: 'MAX_PAYLOAD_FILE_SIZE',
        maximum: MAX_PAYLOAD_FILE_SIZE,
        actual: header.size,
        subject: `${subject}: ${path}`,
      });
    }
    const file = join(ctx.tempDir, `kernel-layer-${process.pid}-${counter++}`);
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
    written.set(path, file);
  }
  const files = new Map<string, PayloadFile>();
  for (const [path, file] of written) {
    const utf8 = byteStringToUtf8(path);
    files.set(utf8, { name: utf8.slice(utf8.lastIndexOf('/') + 1), data: await lazyFileSource(file) });
  }
  return files;
}
