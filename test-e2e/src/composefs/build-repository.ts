import { chmod, copyFile, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsverityDigest, fsverityDigestFile, parseDumpfileSync, toHex, writeErofsImageFile } from '@metalayer/composefs';
import { sourceSize, type TreeEntry } from '../tree/fs-tree';
import { treeToDumpfile, type ExternalFile } from './tree-dumpfile';

/** Files composefs(-rs) stores inline up to this size; larger ones become external objects. */
export const INLINE_LIMIT = 64;

/** fs-verity hash of the repository: object names and the image digest. */
export type RepositoryAlgorithm = 'sha256' | 'sha512';

/** Writes the composefs EROFS image described by `dumpfile` to `out` (objects named as in its PAYLOADs). */
export type ComposefsImageWriter = (dumpfile: string, out: string, algorithm: RepositoryAlgorithm) => Promise<void>;

/**
 * The default writer: `@metalayer/composefs`'s EROFS writer, format version 1
 * (composefs-rs' default, the `v1` of `composefs.digest=v1-…`), fed the dumpfile
 * through its own parser, as `mkcomposefs --min-version=1 --from-file` would be.
 */
export const writeComposefsV1Image: ComposefsImageWriter = async (dumpfile, out) => {
  await writeErofsImageFile(parseDumpfileSync(dumpfile), out, { minVersion: 1, maxVersion: 1 });
};

/** Options of {@link buildComposefsRepository}. */
export interface BuildRepositoryOptions {
  /** The merged root tree to boot. */
  tree: readonly TreeEntry[];
  /** The repository directory, e.g. `<disk stage>/composefs`. */
  repoDir: string;
  /** Default {@link writeComposefsV1Image}. */
  writeImage?: ComposefsImageWriter;
  algorithm?: RepositoryAlgorithm;
}

/** A repository holding one image. */
export interface ComposefsRepository {
  repoDir: string;
  algorithm: RepositoryAlgorithm;
  /** Hex fs-verity digest of the image: the `composefs=` value. */
  digest: string;
  /** `images/<digest>` (a symlink to the image's object). */
  imagePath: string;
  /** Tree path → object, for every external file. */
  objects: Map<string, ExternalFile>;
  dumpfile: string;
}

/** `xx/rest` for a hex digest: the first byte names the directory. */
export function objectPathOf(hex: string): string {
  return `${hex.slice(0, 2)}/${hex.slice(2)}`;
}

/** The object path (`xx/rest`) a file with `content` gets in a repository hashed with `algorithm`. */
export function objectPathForContent(content: string | Uint8Array, algorithm: RepositoryAlgorithm = 'sha256'): string {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return objectPathOf(toHex(fsverityDigest(bytes, algorithm)));
}

/**
 * Lays out a composefs repository as composefs-rs does: every file larger than
 * {@link INLINE_LIMIT} bytes stored once as `objects/xx/<rest>` named by its
 * fs-verity digest, the EROFS image stored as an object too, and
 * `images/<digest>` → `../objects/xx/<rest>`.
 */
export async function buildComposefsRepository(options: BuildRepositoryOptions): Promise<ComposefsRepository> {
  const algorithm = options.algorithm ?? 'sha256';
  const objectsDir = join(options.repoDir, 'objects');
  await mkdir(join(options.repoDir, 'images'), { recursive: true });
  await mkdir(objectsDir, { recursive: true });
  const objects = new Map<string, ExternalFile>();
  const stored = new Set<string>();
  const store = async (hex: string, write: (tmp: string) => Promise<void>): Promise<string> => {
    const objectPath = objectPathOf(hex);
    if (!stored.has(objectPath)) {
      stored.add(objectPath);
      await mkdir(join(objectsDir, hex.slice(0, 2)), { recursive: true });
      const tmp = join(objectsDir, `.tmp-${process.pid}-${hex}`);
      await write(tmp);
      await chmod(tmp, 0o644);
      await rename(tmp, join(objectsDir, objectPath));
    }
    return objectPath;
  };
  for (const entry of options.tree) {
    if (entry.type !== 'file' || sourceSize(entry.source) <= INLINE_LIMIT) continue;
    const source = entry.source;
    const digest = toHex(
      'bytes' in source ? fsverityDigest(source.bytes, algorithm) : await fsverityDigestFile(source.hostPath, algorithm),
    );
    const objectPath = await store(digest, (tmp) => ('bytes' in source ? writeFile(tmp, source.bytes) : copyFile(source.hostPath, tmp)));
    objects.set(entry.path, { objectPath, digest });
  }
  const dumpfile = treeToDumpfile(options.tree, objects, INLINE_LIMIT);
  const imageTmp = join(options.repoDir, `.image-${process.pid}.tmp`);
  await (options.writeImage ?? writeComposefsV1Image)(dumpfile, imageTmp, algorithm);
  const digest = toHex(await fsverityDigestFile(imageTmp, algorithm));
  const imageObject = await store(digest, (tmp) => rename(imageTmp, tmp));
  await rm(imageTmp, { force: true });
  const imagePath = join(options.repoDir, 'images', digest);
  await rm(imagePath, { force: true });
  await symlink(`../objects/${imageObject}`, imagePath);
  return { repoDir: options.repoDir, algorithm, digest, imagePath, objects, dumpfile };
}
