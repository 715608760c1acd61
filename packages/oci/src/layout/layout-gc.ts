import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '@metalayer/core/node';
import { isIndexMediaType, isManifestMediaType } from '../media-types';
import { parseManifest } from '../parse-json';
import { MAX_MANIFEST_SIZE } from '../limits';
import { BLOBS_DIR, INDEX_FILE, INGEST_DIR, readLayoutIndex } from './layout-index';
import { withLock } from './layout-lock';
import type { LayoutStore } from './layout-store';

/** Options of {@link collectGarbage}. */
export interface GcOptions {
  /**
   * Keep unreferenced blobs younger than this (default one hour): a concurrent
   * writer stores blobs before it lists them in `index.json`.
   */
  graceMs?: number;
  /** Report what would be removed without removing it. */
  dryRun?: boolean;
}

/** Result of {@link collectGarbage}. */
export interface GcResult {
  removed: string[];
  freedBytes: number;
}

/** Blobs reachable from `index.json`: manifests, indexes, configs, layers (referrers are listed there too). */
async function reachable(store: LayoutStore): Promise<Set<string>> {
  const index = await readLayoutIndex(join(store.path, INDEX_FILE));
  const marked = new Set<string>();
  const queue = index.manifests.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size }));
  while (queue.length) {
    const d = queue.pop()!;
    if (marked.has(d.digest)) continue;
    marked.add(d.digest);
    if (!(isManifestMediaType(d.mediaType) || isIndexMediaType(d.mediaType))) continue;
    if ((await store.statBlob(d.digest)) === undefined) continue;
    // A malformed manifest throws here: better to abort than to delete what it may reference.
    const parsed = parseManifest(await store.readBlob(d, MAX_MANIFEST_SIZE), `${store.location}: manifest ${d.digest}`, d.mediaType);
    if (parsed.kind === 'index') queue.push(...parsed.index.manifests);
    else queue.push(parsed.manifest.config, ...parsed.manifest.layers);
  }
  return marked;
}

/**
 * Removes blobs no `index.json` entry reaches, and stale files in `ingest/`,
 * holding the `index.json` lock so no tag can appear meanwhile.
 */
export async function collectGarbage(store: LayoutStore, options: GcOptions = {}): Promise<GcResult> {
  const graceMs = options.graceMs ?? 60 * 60_000;
  const cutoff = Date.now() - graceMs;
  return withLock(join(store.path, `${INDEX_FILE}.lock`), async () => {
    const keep = await reachable(store);
    const result: GcResult = { removed: [], freedBytes: 0 };
    const blobs = join(store.path, BLOBS_DIR);
    for (const algorithm of await readdir(blobs)) {
      const dir = join(blobs, algorithm);
      let removedHere = false;
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const digest = `${algorithm}:${name}`;
        if (keep.has(digest)) continue;
        const info = await stat(join(dir, name));
        if (!info.isFile() || info.mtimeMs > cutoff) continue;
        result.removed.push(digest);
        result.freedBytes += info.size;
        if (!options.dryRun) {
          await rm(join(dir, name));
          removedHere = true;
        }
      }
      if (removedHere) await fsyncDirectory(dir);
    }
    const ingest = join(store.path, INGEST_DIR);
    for (const name of await readdir(ingest).catch(() => [] as string[])) {
      const info = await stat(join(ingest, name)).catch(() => undefined);
      if (info && info.mtimeMs <= cutoff && !options.dryRun) await rm(join(ingest, name), { force: true });
    }
    return result;
  });
}
