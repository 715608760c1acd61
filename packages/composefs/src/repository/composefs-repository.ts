import { Buffer } from 'node:buffer';
import { constants } from 'node:fs';
import { mkdir, open, readFile, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '@metalayer/core/node';
import { InvalidArgumentError } from '@metalayer/core';
import { FsVerityHasher } from '../fsverity/fsverity-hasher';
import { fsverityAlgorithmInfo, type FsVerityAlgorithm } from '../fsverity/fsverity-algorithm';
import { toHex } from '../util/hex';
import { enableFsVerity } from './fsverity-tool';
import { assertNotLegacy, checkOpenedMeta, readMetaText, requiresVerity } from './repository-open';
import { RepositoryError } from './repository-error';
import {
  formatRepositoryMeta,
  parseRepositoryMeta,
  REPOSITORY_META_FILE,
  type RepositoryErofsVersion,
  type RepositoryMeta,
} from './repository-meta';
import { linkIntoPlace, OBJECT_FILE_MODE, replaceInPlace, sizeOf, StagingFile, tempName, type StagingMode } from './object-staging';

/** Directory of content-addressed files (`objects/<2 hex>/<rest>`). */
export const OBJECTS_DIR = 'objects';
/** Directory of mountable images (`images/<hex>` → `../objects/…`). */
export const IMAGES_DIR = 'images';
/** Named image references (`images/refs/<name>` → `../../images/<hex>`), roots for composefs-rs GC. */
export const IMAGE_REFS_DIR = 'images/refs';
/** Mode of a new repository directory (composefs-rs `init_path`). */
const REPOSITORY_DIR_MODE = 0o700;
/** Mode of `objects/`, `objects/xx/` and `images/`. */
const SUBDIR_MODE = 0o755;

/** Whether objects get fs-verity: `yes` fails where it cannot, `auto` tries and reports, `no` never tries. */
export type VerityPolicy = 'auto' | 'yes' | 'no';

/** Options of {@link ComposefsRepository.writeObject} and `writeImage`. */
export interface WriteObjectOptions {
  /** Called with the digest before the object is committed (or an image linked); throwing discards it. */
  accept?: (digest: Uint8Array) => void;
}

/** What became of fs-verity in this session. */
export type VerityState =
  /** Enabled on everything written (the repository requires it). */
  | 'enabled'
  /** The filesystem cannot do it (or `fsverity` is missing): objects are written without it. */
  | 'unsupported'
  /** Not attempted (`no`), in a repository that does not require it. */
  | 'disabled';

/** Options of {@link ComposefsRepository.open}. */
export interface OpenRepositoryOptions {
  /** fs-verity algorithm of a new repository (default sha512, as `cfsctl init`); an existing one must match when given. */
  algorithm?: FsVerityAlgorithm;
  /** EROFS format of a new repository (default 1); an existing one must match when given. */
  erofsVersion?: RepositoryErofsVersion;
  /** Create the repository (directory and `meta.json`) when missing. Default false. */
  create?: boolean;
  /** Default `auto`. */
  verity?: VerityPolicy;
}

/** Whether an object was written now or was already there. */
export type ObjectStatus = 'written' | 'present';

/** Counters of one session. */
export interface RepositoryStats {
  objectsWritten: number;
  objectsPresent: number;
  bytesWritten: number;
}

/**
 * Content of one object being written: stream it in, then {@link commit}
 * it under the fs-verity digest the caller computed while streaming.
 */
export interface ObjectWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Stores the content as `objects/<digest>` (written atomically, fs-verity enabled per policy). */
  commit(digest: Uint8Array): Promise<ObjectStatus>;
  /** Drops the content. */
  abort(): Promise<void>;
}

const HEX_DIGITS = '0123456789abcdef';
const objectNameScratch = Buffer.alloc(2 * 64 + 1);

/**
 * `xx/<rest>` for a digest: the object's path below `objects/` and the
 * payload composefs images name. Built as one flat string (an image keeps
 * one per external file; slicing a hex string would keep three).
 */
export function objectName(digest: Uint8Array): string {
  if (digest.length < 2 || digest.length > 64) {
    const hex = toHex(digest);
    return `${hex.slice(0, 2)}/${hex.slice(2)}`;
  }
  const out = objectNameScratch;
  let o = 0;
  for (let i = 0; i < digest.length; i++) {
    if (i === 1) out[o++] = 0x2f; // '/'
    out[o++] = HEX_DIGITS.charCodeAt(digest[i]! >> 4);
    out[o++] = HEX_DIGITS.charCodeAt(digest[i]! & 15);
  }
  return out.toString('latin1', 0, o);
}

async function exists(path: string): Promise<boolean> {
  return (await sizeOf(path)) !== undefined;
}

/**
 * A composefs repository laid out as composefs-rs (`repository.rs`) does:
 * `meta.json`, `objects/xx/<rest>` named by fs-verity digest, and
 * `images/<hex>` symlinks to image objects. It knows nothing of OCI.
 *
 * Writes are atomic (temporary file, fsync, fs-verity, link into place) and
 * idempotent: content already present is left untouched, and staging uses
 * unnamed files so that a repeated write leaves no trace.
 */
export class ComposefsRepository {
  readonly stats: RepositoryStats = { objectsWritten: 0, objectsPresent: 0, bytesWritten: 0 };
  private readonly touchedDirs = new Set<string>();
  private readonly knownDirs = new Set<string>();
  private verityProbe: Promise<void> | undefined;

  private constructor(
    /** Repository directory. */
    readonly path: string,
    readonly meta: RepositoryMeta,
    /** Whether this session created the repository. */
    readonly created: boolean,
    private verityState: VerityState | 'probe',
    private readonly verityRequired: boolean,
    private readonly stagingMode: StagingMode,
  ) {}

  get algorithm(): FsVerityAlgorithm {
    return this.meta.algorithm;
  }

  get erofsVersion(): RepositoryErofsVersion {
    return this.meta.erofsVersion as RepositoryErofsVersion;
  }

  /** What became of fs-verity so far (`auto` reports `disabled` until something was written). */
  get verity(): VerityState {
    return this.verityState === 'probe' ? 'disabled' : this.verityState;
  }

  /** Opens (and with `create`, initialises) the repository at `dir`. */
  static async open(dir: string, options: OpenRepositoryOptions = {}): Promise<ComposefsRepository> {
    const policy = options.verity ?? 'auto';
    if (!['auto', 'yes', 'no'].includes(policy)) {
      throw new InvalidArgumentError({
        argument: 'verity',
        value: policy,
        message: `verity must be auto, yes or no, got ${String(policy)}`,
      });
    }
    const metaPath = join(dir, REPOSITORY_META_FILE);
    const text = await readMetaText(metaPath);
    if (text !== undefined) return ComposefsRepository.openExisting(dir, metaPath, text, options, policy);
    if (!options.create) {
      throw new RepositoryError({
        reason: 'invalid-metadata',
        path: dir,
        message: `no ${REPOSITORY_META_FILE}: not a composefs repository`,
        hint: 'create it (metalayer deploy does so) or run `cfsctl init`',
      });
    }
    return ComposefsRepository.create(dir, metaPath, options, policy);
  }

  private static async openExisting(
    dir: string,
    metaPath: string,
    text: string,
    options: OpenRepositoryOptions,
    policy: VerityPolicy,
  ): Promise<ComposefsRepository> {
    const meta = parseRepositoryMeta(text, metaPath);
    checkOpenedMeta(meta, metaPath, options);
    const required = await requiresVerity(metaPath, policy);
    const state: VerityState | 'probe' = required || policy === 'yes' ? 'enabled' : policy === 'no' ? 'disabled' : 'probe';
    return new ComposefsRepository(dir, meta, false, state, required || policy === 'yes', 'anonymous');
  }

  private static async create(
    dir: string,
    metaPath: string,
    options: OpenRepositoryOptions,
    policy: VerityPolicy,
  ): Promise<ComposefsRepository> {
    const objectsDir = join(dir, OBJECTS_DIR);
    await assertNotLegacy(dir, objectsDir);
    await mkdir(dir, { recursive: true, mode: REPOSITORY_DIR_MODE });
    await mkdir(objectsDir, { recursive: true, mode: SUBDIR_MODE });
    const algorithm = options.algorithm ?? 'sha512';
    const erofsVersion = options.erofsVersion ?? 1;
    const text = formatRepositoryMeta(algorithm, erofsVersion);
    // A brand-new object store: named staging avoids copying every object once more.
    const repo = new ComposefsRepository(
      dir,
      parseRepositoryMeta(text, metaPath),
      true,
      policy === 'yes' ? 'enabled' : policy === 'no' ? 'disabled' : 'probe',
      policy === 'yes',
      'named',
    );
    const temp = tempName(dir, `.${REPOSITORY_META_FILE}.tmp-`);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
      await handle.close();
      await repo.applyVerity(temp);
      await rename(temp, metaPath);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDirectory(dir);
    return repo;
  }

  /** Absolute path of the object named by `digest`. */
  objectPath(digest: Uint8Array): string {
    this.checkDigest(digest);
    return join(this.path, OBJECTS_DIR, objectName(digest));
  }

  /** Whether the object exists (with `size` bytes, when given). */
  async hasObject(digest: Uint8Array, size?: number): Promise<boolean> {
    const actual = await sizeOf(this.objectPath(digest));
    return actual !== undefined && (size === undefined || actual === size);
  }

  /** Starts writing an object whose digest the caller computes while streaming. */
  async createObjectWriter(): Promise<ObjectWriter> {
    const staging = await StagingFile.open(join(this.path, OBJECTS_DIR), this.stagingMode);
    let done = false;
    return {
      write: (chunk) => staging.write(chunk),
      commit: async (digest) => {
        if (done) throw new InvalidArgumentError({ argument: 'commit', message: 'object writer already finished' });
        done = true;
        return this.commitStaging(staging, digest);
      },
      abort: async () => {
        if (done) return;
        done = true;
        await staging.discard();
      },
    };
  }

  /**
   * Writes an object from chunks, computing its digest itself. `accept` sees
   * the digest before the object is committed: throwing there discards it.
   */
  async writeObject(
    content: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: WriteObjectOptions = {},
  ): Promise<{ digest: Uint8Array; status: ObjectStatus }> {
    const writer = await this.createObjectWriter();
    const hasher = new FsVerityHasher(this.algorithm);
    let digest: Uint8Array;
    try {
      for await (const chunk of content) {
        hasher.update(chunk);
        await writer.write(chunk);
      }
      digest = hasher.digest();
      options.accept?.(digest);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return { digest, status: await writer.commit(digest) };
  }

  /**
   * Stores an EROFS image as an object and links `images/<hex>` to it (the
   * symlink last, and only when missing or wrong). Returns the image id.
   */
  async writeImage(
    chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: WriteObjectOptions = {},
  ): Promise<{ digest: Uint8Array; status: ObjectStatus; linked: boolean }> {
    const { digest, status } = await this.writeObject(chunks, options);
    const linked = await this.linkImage(digest);
    return { digest, status, linked };
  }

  /** Points `images/<hex>` at the object `digest` (atomically); false when it already did. */
  async linkImage(digest: Uint8Array): Promise<boolean> {
    const imagesDir = join(this.path, IMAGES_DIR);
    return this.placeSymlink(imagesDir, toHex(digest), `../${OBJECTS_DIR}/${objectName(digest)}`);
  }

  /**
   * Names an image: `images/refs/<name>` → `../../images/<hex>` (nested names
   * allowed). composefs-rs GC keeps images reachable from `images/refs/`.
   */
  async addImageRef(name: string, digest: Uint8Array): Promise<boolean> {
    const parts = name.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new InvalidArgumentError({ argument: 'ref', value: name, message: `invalid image ref name "${name}"` });
    }
    const dir = join(this.path, IMAGE_REFS_DIR, ...parts.slice(0, -1));
    const up = '../'.repeat(parts.length + 1);
    return this.placeSymlink(dir, parts.at(-1)!, `${up}${IMAGES_DIR}/${toHex(digest)}`);
  }

  /** fsyncs every directory this session added entries to. */
  async sync(): Promise<void> {
    for (const dir of this.touchedDirs) await fsyncDirectory(dir);
    this.touchedDirs.clear();
  }

  private async placeSymlink(dir: string, name: string, target: string): Promise<boolean> {
    const path = join(dir, name);
    try {
      if ((await readlink(path)) === target) return false;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EINVAL') throw error;
    }
    await this.ensureDir(dir);
    const temp = tempName(dir, '.tmp-link-');
    await symlink(target, temp);
    try {
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    this.touchedDirs.add(dir);
    return true;
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: SUBDIR_MODE });
    this.knownDirs.add(dir);
  }

  private checkDigest(digest: Uint8Array): void {
    const size = fsverityAlgorithmInfo(this.algorithm).digestSize;
    if (digest.length !== size) {
      throw new InvalidArgumentError({
        argument: 'digest',
        message: `a ${this.algorithm} repository names objects by ${size}-byte digests, got ${digest.length} bytes`,
      });
    }
  }

  private async commitStaging(staging: StagingFile, digest: Uint8Array): Promise<ObjectStatus> {
    const finalPath = this.objectPath(digest);
    const existing = await sizeOf(finalPath);
    if (existing === staging.size) {
      await staging.discard();
      this.stats.objectsPresent++;
      return 'present';
    }
    const dir = join(this.path, OBJECTS_DIR, objectName(digest).slice(0, 2));
    await this.ensureDir(dir);
    let temp: string;
    try {
      temp = await staging.materialize(dir);
    } catch (error) {
      await staging.discard();
      throw error;
    }
    try {
      await this.applyVerity(temp);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    let written = true;
    if (existing === undefined) {
      written = await linkIntoPlace(temp, finalPath);
    } else {
      // An object of the wrong size is corrupt: replace it.
      await replaceInPlace(temp, finalPath);
    }
    this.touchedDirs.add(dir);
    if (!written) {
      this.stats.objectsPresent++;
      return 'present';
    }
    this.stats.objectsWritten++;
    this.stats.bytesWritten += staging.size;
    return 'written';
  }

  /** Enables fs-verity on a closed temporary file per policy (probing once in `auto`). */
  private async applyVerity(path: string): Promise<void> {
    if (this.verityState === 'probe') {
      if (this.verityProbe === undefined) {
        this.verityProbe = (async () => {
          let result: 'enabled' | 'unsupported' = 'unsupported';
          try {
            result = await enableFsVerity(path, this.algorithm);
          } catch {
            // auto: a missing or failing fsverity tool means no verity, reported as such.
          }
          this.verityState = result;
        })();
        await this.verityProbe;
        return;
      }
      await this.verityProbe;
    }
    if (this.verityState !== 'enabled') return;
    const result = await enableFsVerity(path, this.algorithm);
    if (result === 'unsupported') {
      if (this.verityRequired) {
        throw new RepositoryError({
          reason: 'verity-unsupported',
          path,
          message: 'the filesystem does not support fs-verity, which the repository requires',
          hint: 'use a filesystem with fs-verity (ext4 -O verity, btrfs, f2fs) or --enable-verity no on a new repository',
        });
      }
      this.verityState = 'unsupported';
    }
  }
}

/** Mode objects are created with (exported for tests and tools that check layouts). */
export const REPOSITORY_OBJECT_MODE = OBJECT_FILE_MODE;

/** Reads `meta.json` of `dir` (no checks beyond parsing). */
export async function readRepositoryMeta(dir: string): Promise<RepositoryMeta> {
  const path = join(dir, REPOSITORY_META_FILE);
  return parseRepositoryMeta(await readFile(path, 'utf8'), path);
}

/** Whether `dir` holds a composefs repository (`meta.json` present). */
export async function isComposefsRepository(dir: string): Promise<boolean> {
  return exists(join(dir, REPOSITORY_META_FILE));
}
