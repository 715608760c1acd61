import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../bytes/byte-source';

/** A {@link ByteSource} over an open file; call `close()` when done. */
export interface FileSource extends ByteSource {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Opens a file for random-access reads. The size is taken once at open;
 * reads past it, or a file that shrinks meanwhile, throw.
 */
export async function openFileSource(path: string): Promise<FileSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      path,
      size,
      read: (offset, length) => readRange(handle, path, size, offset, length),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Exactly `length` bytes at `offset` of an open file whose size was `size`
 * when it was opened; a file that shrank since then throws.
 */
export async function readRange(handle: FileHandle, path: string, size: number, offset: number, length: number): Promise<Uint8Array> {
  if (offset < 0 || length < 0 || offset + length > size)
    throw new RangeError(`read [${offset}, +${length}) outside ${path} (${size} bytes)`);
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) throw new Error(`${path}: file shrank while reading (at ${offset + done})`);
    done += bytesRead;
  }
  return buffer;
}

/** Runs `fn` with a file source and closes it afterwards. */
export async function withFileSource<T>(path: string, fn: (source: FileSource) => Promise<T>): Promise<T> {
  const source = await openFileSource(path);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}
