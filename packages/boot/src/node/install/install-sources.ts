import { createHash, randomBytes } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamSource, toByteSource, type ByteSource } from '../../bytes/byte-source';
import { readRange } from '../file-source';
import type { InstallByteInput } from './install-types';

/** Sources opened for a plan, and how to release them. */
export interface SourceScope {
  /** Turns an input into a re-readable source (spooling one-shot streams to a temp file). */
  open(input: InstallByteInput): Promise<ByteSource>;
  /** Removes temp files. */
  dispose(): Promise<void>;
}

/** Creates a {@link SourceScope}; `dispose()` it when the plan is done with. */
export function createSourceScope(): SourceScope {
  const spooled: string[] = [];
  return {
    async open(input) {
      if (input instanceof Uint8Array || isByteSource(input)) return toByteSource(input);
      if ('path' in input && typeof input.path === 'string') return lazyFileSource(input.path);
      const path = join(tmpdir(), `metalayer-install-${randomBytes(8).toString('hex')}`);
      spooled.push(path);
      const handle = await open(path, 'wx', 0o600);
      try {
        for await (const chunk of input as AsyncIterable<Uint8Array>) await handle.write(chunk);
      } finally {
        await handle.close();
      }
      return lazyFileSource(path);
    },
    async dispose() {
      await Promise.all(spooled.splice(0).map((p) => rm(p, { force: true })));
    },
  };
}

function isByteSource(input: unknown): input is ByteSource {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as ByteSource).read === 'function' &&
    typeof (input as ByteSource).size === 'number'
  );
}

/**
 * A file read on demand (opened per read, so nothing stays open between
 * planning and executing). Its size is fixed when created; a file that
 * changes afterwards is caught by the sha256 check while writing.
 */
export async function lazyFileSource(path: string): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    size,
    async read(offset, length) {
      const handle = await open(path, 'r');
      try {
        return await readRange(handle, path, size, offset, length);
      } finally {
        await handle.close();
      }
    },
  };
}

/** sha256 (hex) of a source, streamed. */
export async function sha256Source(source: ByteSource): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of streamSource(source)) hash.update(chunk);
  return hash.digest('hex');
}

/** sha256 (hex) of a file, or undefined if it cannot be read. */
export async function sha256File(path: string): Promise<string> {
  return sha256Source(await lazyFileSource(path));
}
