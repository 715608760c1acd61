import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@metalayer/core/node';
import { LimitExceededError } from '@metalayer/core';
import { BlobNotFoundError, ManifestNotFoundError } from '../errors/index';
import { collectBytes, digestOf, isDigest, splitDigest } from '../digest';
import { MAX_CONFIG_SIZE, MAX_MANIFEST_SIZE } from '../limits';
import { isIndexMediaType, isManifestMediaType } from '../media-types';
import { artifactTypeOf, parseManifest, subjectOf } from '../parse-json';
import type {
  BlobInfo,
  ImageStore,
  ListReferrersOptions,
  OpenBlobOptions,
  PutBlobOptions,
  PutManifestOptions,
  StoredManifest,
} from '@metalayer/core';
import type { Descriptor, ImageIndex } from '@metalayer/core';
import { openLayoutBlob, statLayoutBlob, writeLayoutBlob } from './layout-blobs';
import {
  BLOBS_DIR,
  encodeLayoutIndex,
  INDEX_FILE,
  LAYOUT_FILE,
  LAYOUT_HEADER,
  readLayoutHeader,
  readLayoutIndex,
  refNameOf,
  withoutRefName,
} from './layout-index';
import { DEFAULT_LOCK_TIMEOUT_MS, withLock } from './layout-lock';
import { referrerDescriptor, updateIndexEntries } from './layout-entries';

/** Options of {@link openLayout}. */
export interface OpenLayoutOptions {
  /** Create the layout when the directory is missing or empty (default false). */
  create?: boolean;
  /** How long to wait for another writer's `index.json` lock (default 30 s). */
  lockTimeoutMs?: number;
}

/** An OCI image layout directory (image-spec v1.1 `image-layout.md`) as an {@link ImageStore}. */
export class LayoutStore implements ImageStore {
  readonly kind = 'layout' as const;
  readonly location: string;
  readonly path: string;
  readonly #lockTimeoutMs: number;

  constructor(path: string, lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS) {
    this.path = resolve(path);
    this.location = `oci:${path}`;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** Reads `index.json` as it is now. */
  readIndex(): Promise<ImageIndex> {
    return readLayoutIndex(join(this.path, INDEX_FILE));
  }

  statBlob(digest: string): Promise<number | undefined> {
    return statLayoutBlob(this.path, digest);
  }

  openBlob(descriptor: BlobInfo, signal?: AbortSignal, options?: OpenBlobOptions): AsyncIterable<Uint8Array> {
    return openLayoutBlob(this.path, this.location, descriptor, signal, options);
  }

  async readBlob(descriptor: BlobInfo, maxSize = MAX_CONFIG_SIZE, signal?: AbortSignal): Promise<Uint8Array> {
    const subject = `${this.location}: blob ${descriptor.digest}`;
    if (descriptor.size > maxSize) throw new LimitExceededError({ limit: 'maxSize', maximum: maxSize, actual: descriptor.size, subject });
    return collectBytes(
      this.openBlob(descriptor, signal),
      maxSize,
      (actual) => new LimitExceededError({ limit: 'maxSize', maximum: maxSize, actual, subject }),
    );
  }

  putBlob(content: Uint8Array | AsyncIterable<Uint8Array>, options?: PutBlobOptions): Promise<BlobInfo> {
    return writeLayoutBlob(this.path, this.location, content, options);
  }

  async getManifest(reference: string): Promise<StoredManifest> {
    const index = await this.readIndex();
    let entry: Descriptor | undefined;
    if (isDigest(reference)) {
      entry = index.manifests.find((m) => m.digest === reference);
      if (!entry) {
        const size = await this.statBlob(reference);
        if (size === undefined) throw new ManifestNotFoundError({ reference, location: this.location });
        entry = { mediaType: '', digest: reference, size };
      }
    } else {
      entry = index.manifests.filter((m) => refNameOf(m) === reference).at(-1);
      if (!entry) throw new ManifestNotFoundError({ reference, location: this.location });
    }
    if ((await this.statBlob(entry.digest)) === undefined) {
      throw new BlobNotFoundError({
        digest: entry.digest,
        location: this.location,
        message: `${this.location}: ${reference === entry.digest ? 'manifest' : `tag ${reference} points at`} ${entry.digest}, which is missing from ${BLOBS_DIR}/`,
      });
    }
    const bytes = await this.readBlob(entry, MAX_MANIFEST_SIZE);
    const parsed = parseManifest(bytes, `${this.location}: manifest ${entry.digest}`, entry.mediaType || undefined);
    return { descriptor: { ...entry, mediaType: entry.mediaType || parsed.mediaType }, parsed };
  }

  async putManifest(bytes: Uint8Array, options: PutManifestOptions = {}): Promise<Descriptor> {
    const digest = digestOf(bytes);
    const parsed = parseManifest(bytes, `${this.location}: new manifest ${digest}`, options.mediaType);
    const mediaType = options.mediaType ?? parsed.mediaType;
    // As a registry would: refuse a manifest whose blobs are not here (foreign layers with `urls` excepted).
    const needed =
      parsed.kind === 'index' ? parsed.index.manifests : [parsed.manifest.config, ...parsed.manifest.layers.filter((l) => !l.urls?.length)];
    for (const blob of needed) {
      if ((await this.statBlob(blob.digest)) === undefined) {
        throw new BlobNotFoundError({
          digest: blob.digest,
          location: this.location,
          message: `${this.location}: manifest ${digest} references ${blob.digest}, which is not stored`,
        });
      }
    }
    await this.putBlob(bytes, { expected: { digest, size: bytes.byteLength } });
    const descriptor: Descriptor = { mediaType, digest, size: bytes.byteLength };
    const subject = subjectOf(parsed);
    const additions: Descriptor[] = [];
    if (subject) additions.push(referrerDescriptor(descriptor, parsed));
    if (options.tag !== undefined || options.root || subject) {
      await this.updateIndex((entries) => updateIndexEntries(entries, descriptor, { tag: options.tag, root: options.root, additions }));
    }
    return descriptor;
  }

  /** Points `tag` at an already stored manifest. */
  async tag(tag: string, descriptor: Descriptor): Promise<void> {
    await this.updateIndex((entries) => updateIndexEntries(entries, descriptor, { tag }));
  }

  async listTags(): Promise<string[]> {
    const tags = (await this.readIndex()).manifests.map(refNameOf).filter((t): t is string => t !== undefined);
    return [...new Set(tags)];
  }

  async listReferrers(digest: string, options: ListReferrersOptions = {}): Promise<Descriptor[]> {
    const index = await this.readIndex();
    const candidates = [...index.manifests];
    const fallback = index.manifests.find((m) => refNameOf(m) === `${splitDigest(digest).algorithm}-${splitDigest(digest).encoded}`);
    if (fallback && isIndexMediaType(fallback.mediaType) && (await this.statBlob(fallback.digest)) !== undefined) {
      const parsed = (await this.getManifest(fallback.digest)).parsed;
      if (parsed.kind === 'index') candidates.push(...parsed.index.manifests);
    }
    const seen = new Set<string>();
    const found: Descriptor[] = [];
    for (const candidate of candidates) {
      if (seen.has(candidate.digest) || !(isManifestMediaType(candidate.mediaType) || isIndexMediaType(candidate.mediaType))) continue;
      seen.add(candidate.digest);
      if ((await this.statBlob(candidate.digest)) === undefined) continue;
      const { parsed, descriptor } = await this.getManifest(candidate.digest);
      if (subjectOf(parsed)?.digest !== digest) continue;
      const referrer = referrerDescriptor({ mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size }, parsed);
      if (options.artifactType === undefined || artifactTypeOf(parsed) === options.artifactType) found.push(referrer);
    }
    return found;
  }

  /**
   * Read-modify-write of `index.json` under the lock. Every descriptor the new
   * index lists that the old one did not must have its blob present, so a
   * crash or a concurrent garbage collection never leaves a dangling tag.
   */
  async updateIndex(change: (entries: Descriptor[]) => Descriptor[]): Promise<ImageIndex> {
    const indexPath = join(this.path, INDEX_FILE);
    return withLock(
      `${indexPath}.lock`,
      async () => {
        const index = await readLayoutIndex(indexPath);
        const before = new Set(index.manifests.map((m) => m.digest));
        const manifests = change(index.manifests);
        for (const m of manifests) {
          if (!before.has(m.digest) && (await this.statBlob(m.digest)) === undefined) {
            throw new BlobNotFoundError({
              digest: m.digest,
              location: this.location,
              message: `${this.location}: refusing to list ${m.digest} in ${INDEX_FILE}: blob missing`,
            });
          }
        }
        const next = { ...index, manifests };
        await writeFileAtomic(indexPath, encodeLayoutIndex(next));
        return next;
      },
      this.#lockTimeoutMs,
    );
  }

  /** Removes `tag` (the entry stays, untagged, like skopeo does on retag). */
  async untag(tag: string): Promise<void> {
    await this.updateIndex((entries) => entries.map((e) => (refNameOf(e) === tag ? withoutRefName(e) : e)));
  }
}

async function isEmptyDir(path: string): Promise<boolean | undefined> {
  try {
    return (await readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Opens (and with `create`, initialises) an OCI image layout directory. */
export async function openLayout(path: string, options: OpenLayoutOptions = {}): Promise<LayoutStore> {
  const store = new LayoutStore(path, options.lockTimeoutMs);
  const empty = await isEmptyDir(store.path);
  if (options.create && empty !== false) {
    await mkdir(join(store.path, BLOBS_DIR, 'sha256'), { recursive: true });
    await writeFileAtomic(join(store.path, LAYOUT_FILE), LAYOUT_HEADER);
    const indexPath = join(store.path, INDEX_FILE);
    const exists = await stat(indexPath).then(
      () => true,
      () => false,
    );
    if (!exists) await writeFileAtomic(indexPath, encodeLayoutIndex({ schemaVersion: 2, manifests: [] }));
    return store;
  }
  await readLayoutHeader(join(store.path, LAYOUT_FILE));
  await readLayoutIndex(join(store.path, INDEX_FILE));
  return store;
}
