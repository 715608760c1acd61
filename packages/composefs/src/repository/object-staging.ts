import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Linux `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`; `__O_TMPFILE` is 020000000
 * on every architecture Node supports): an unnamed file in a directory. Node
 * does not export it, and has no linkat(2) to name such a file later, so an
 * anonymous staging file is copied into a named one when it must be kept.
 */
const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;
/** Mode of object files (composefs-rs creates them 0644). */
export const OBJECT_FILE_MODE = 0o644;
/** Read size when copying an anonymous staging file into place. */
const COPY_CHUNK = 1 << 20;

/** How content is staged before its digest (and so its name) is known. */
export type StagingMode = 'anonymous' | 'named';

/** A unique temporary name in `dir`, as composefs-rs names its fallback tmpfiles. */
export function tempName(dir: string, prefix = '.tmp-object-'): string {
  return join(dir, `${prefix}${randomBytes(6).toString('hex')}`);
}

async function writeAll(handle: FileHandle, chunk: Uint8Array, position?: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position === undefined ? null : position + done);
    done += bytesWritten;
  }
}

/**
 * A file being written whose final name is not known yet. Anonymous staging
 * (`O_TMPFILE`) leaves no trace in the directory when the content turns out
 * to exist already, so re-running a deploy changes nothing on disk; named
 * staging is a regular temporary file, renamed into place without a copy.
 */
export class StagingFile {
  size = 0;

  private constructor(
    readonly handle: FileHandle,
    readonly mode: StagingMode,
    /** The temporary path of a named staging file. */
    readonly tempPath: string | undefined,
  ) {}

  /** Opens a staging file in `dir`: anonymous when asked and supported, else named. */
  static async open(dir: string, mode: StagingMode): Promise<StagingFile> {
    if (mode === 'anonymous') {
      try {
        return new StagingFile(await open(dir, O_TMPFILE | constants.O_RDWR, OBJECT_FILE_MODE), 'anonymous', undefined);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Filesystems (or kernels) without O_TMPFILE: fall back, as composefs-rs does.
        if (code !== 'EOPNOTSUPP' && code !== 'EISDIR' && code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
      }
    }
    const path = tempName(dir);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, OBJECT_FILE_MODE);
    return new StagingFile(handle, 'named', path);
  }

  async write(chunk: Uint8Array): Promise<void> {
    await writeAll(this.handle, chunk);
    this.size += chunk.length;
  }

  /**
   * Makes the content durable under a temporary name in `dir` and returns that
   * path (closed, fsynced). Named staging files are used as they are;
   * anonymous ones are copied into a new named file.
   */
  async materialize(dir: string): Promise<string> {
    if (this.mode === 'named') {
      await this.handle.sync();
      await this.handle.close();
      return this.tempPath!;
    }
    const path = tempName(dir);
    const out = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, OBJECT_FILE_MODE);
    try {
      const buffer = new Uint8Array(Math.min(COPY_CHUNK, Math.max(this.size, 1)));
      for (let position = 0; position < this.size;) {
        const { bytesRead } = await this.handle.read(buffer, 0, Math.min(buffer.length, this.size - position), position);
        if (bytesRead === 0) throw new Error(`staging file shrank while copying (${position} of ${this.size} bytes)`);
        await writeAll(out, buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
      await out.sync();
    } catch (error) {
      await out.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw error;
    } finally {
      await this.handle.close().catch(() => undefined);
    }
    await out.close();
    return path;
  }

  /** Drops the content (an anonymous file simply disappears). */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    if (this.tempPath) await unlink(this.tempPath).catch(() => undefined);
  }
}

/**
 * Moves `tempPath` to `finalPath` unless a file is already there: link(2)
 * then unlink(2), so a concurrent writer of the same content never sees a
 * replaced file. Returns false (and removes `tempPath`) when `finalPath` exists.
 */
export async function linkIntoPlace(tempPath: string, finalPath: string): Promise<boolean> {
  try {
    await link(tempPath, finalPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    await unlink(tempPath);
    return false;
  }
  await unlink(tempPath);
  return true;
}

/** Replaces whatever is at `finalPath` with `tempPath` (rename(2)). */
export async function replaceInPlace(tempPath: string, finalPath: string): Promise<void> {
  await rename(tempPath, finalPath);
}

/** Size of the file at `path`, or undefined when there is none. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
