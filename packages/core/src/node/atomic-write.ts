import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What {@link writeFileAtomic} accepts as content. */
export type AtomicContent = Uint8Array | string | AsyncIterable<Uint8Array>;

/** Options for {@link writeFileAtomic} and {@link openAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the result (default 0o644). */
  mode?: number;
  /** Skip the final directory fsync (callers batching many files fsync the directory once). */
  skipDirectorySync?: boolean;
}

/**
 * A file being written under a temporary name next to its final path.
 * `commit()` fsyncs and renames it into place; `abort()` removes it.
 * Readers therefore see either the old file or the complete new one.
 */
export interface AtomicFile {
  readonly handle: FileHandle;
  readonly tempPath: string;
  write(chunk: Uint8Array | string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens `path` for an atomic replace: write, then `commit()` or `abort()`. */
export async function openAtomic(path: string, options: AtomicWriteOptions = {}): Promise<AtomicFile> {
  const dir = dirname(path);
  const tempPath = join(dir, `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const handle = await open(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o644);
  let done = false;
  return {
    handle,
    tempPath,
    async write(chunk) {
      if (typeof chunk === 'string') await handle.write(chunk);
      else await handle.write(chunk);
    },
    async commit() {
      if (done) return;
      done = true;
      try {
        if (options.mode !== undefined) await handle.chmod(options.mode);
        await handle.sync();
        await handle.close();
        await rename(tempPath, path);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(tempPath, { force: true });
        throw error;
      }
      if (!options.skipDirectorySync) await fsyncDirectory(dir);
    },
    async abort() {
      if (done) return;
      done = true;
      await handle.close().catch(() => undefined);
      await rm(tempPath, { force: true });
    },
  };
}

/**
 * Writes `content` to `path` atomically: temp file in the same directory,
 * fsync, rename, fsync of the directory. On any error nothing is left behind
 * and an existing file at `path` is untouched.
 */
export async function writeFileAtomic(path: string, content: AtomicContent, options: AtomicWriteOptions = {}): Promise<void> {
  const file = await openAtomic(path, options);
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) {
      await file.write(content);
    } else {
      for await (const chunk of content) await file.write(chunk);
    }
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}

/** fsyncs a directory so that renames and creations inside it survive a crash. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
