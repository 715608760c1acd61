import { LimitExceededError, type Descriptor, type ImageStore, type PayloadFile, type StrategyContext } from '@metalayer/core';
import { lazyFileSource } from '@metalayer/boot/node';
import { byteStringToUtf8, readStoredLayer } from '@metalayer/oci';
import { PayloadFormatError } from '../errors/payload-format-error';
import { normalizeLayerPath, spoolEntry } from './layer-files';

const WHITEOUT_PREFIX = '.wh.';

/** What {@link readLayerTree} accepts. */
export interface LayerTreeOptions {
  /** The top-level directory every entry must lie in, e.g. `boot`. */
  readonly root: string;
  /** Most entries (directories and files) the layer may hold. */
  readonly maxEntries: number;
  /** The layer in messages, e.g. `kernel layer`. */
  readonly what: string;
  /** The error for an entry outside `root` or with `.`/`..` components, given its name as archived (default `PayloadFormatError`). */
  readonly outside?: (path: string) => Error;
}

/**
 * Streams a layer a strategy wrote (blob digest and diff_id verified) and
 * copies its regular files into `ctx.tempDir`, keyed by their path (UTF-8,
 * no leading `/`, `root/…`). The layer must be a plain tree below `root`:
 * only directories and regular files, normalised paths, no whiteouts, no
 * duplicates, `root` itself a directory. Anything else means the layer was
 * not written by the strategy: `PayloadFormatError` (or `outside`). Returns
 * only after the whole layer was read and verified.
 */
export async function readLayerTree(
  ctx: StrategyContext,
  store: ImageStore,
  layer: Descriptor,
  diffId: string,
  options: LayerTreeOptions,
): Promise<Map<string, PayloadFile>> {
  const subject = `${store.location}: ${options.what} ${layer.digest}`;
  const seen = new Set<string>();
  const written = new Map<string, string>();
  for await (const { header, body } of readStoredLayer(store, layer, { diffId, ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
    if (seen.size >= options.maxEntries) {
      throw new LimitExceededError({ limit: 'maxEntries', maximum: options.maxEntries, actual: seen.size + 1, subject });
    }
    const path = normalizeLayerPath(byteStringToUtf8(header.name));
    const parts = path.split('/');
    const fail = (reason: string): never => {
      throw new PayloadFormatError({ subject, reason: `entry ${JSON.stringify(path)} ${reason}` });
    };
    const normalised = !parts.some((p) => p === '' || p === '.' || p === '..');
    if (!normalised || parts[0] !== options.root) {
      if (options.outside) throw options.outside(byteStringToUtf8(header.name));
      fail(normalised ? `lies outside /${options.root}` : 'is not a normalised path');
    }
    if (parts.some((p) => p.startsWith(WHITEOUT_PREFIX))) fail(`is a whiteout (the ${options.what} only adds files)`);
    if (seen.has(path)) fail('appears twice');
    seen.add(path);
    if (header.type === 'directory') continue;
    if (parts.length === 1) fail(`is a ${header.type}; /${options.root} must be a directory`);
    if (header.type !== 'file') fail(`is a ${header.type}; the ${options.what} holds only directories and regular files`);
    written.set(path, await spoolEntry(ctx, header.size, body, `${subject}: ${path}`));
  }
  const files = new Map<string, PayloadFile>();
  for (const [path, file] of written) files.set(path, { name: path.slice(path.lastIndexOf('/') + 1), data: await lazyFileSource(file) });
  return files;
}
