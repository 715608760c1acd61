import type { ByteSource } from '@metalayer/core';

/**
 * Random-access bytes (UKI, kernel, initrd): the `ByteSource` contract of
 * `@metalayer/core`, re-exported because every API of this package takes one.
 * PE headers are parsed from a few kilobytes and section bodies are streamed,
 * so a 100 MiB UKI never has to sit in memory.
 */
export type { ByteSource };

/** Anything the builders accept as section content. */
export type ByteInput = Uint8Array | ByteSource;

/** Chunk size used when streaming a {@link ByteSource}. */
export const STREAM_CHUNK_SIZE = 1 << 20;

/** Wraps bytes in memory as a {@link ByteSource}. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      checkRange(bytes.length, offset, length);
      // A plain Uint8Array view, also when `bytes` is a Node Buffer.
      return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length);
    },
  };
}

/** Turns a {@link ByteInput} into a {@link ByteSource}. */
export function toByteSource(input: ByteInput): ByteSource {
  return input instanceof Uint8Array ? bytesSource(input) : input;
}

/** A window `[offset, offset + length)` of another source. */
export function sliceSource(source: ByteSource, offset: number, length: number): ByteSource {
  checkRange(source.size, offset, length);
  return {
    size: length,
    read(o, l) {
      checkRange(length, o, l);
      return source.read(offset + o, l);
    },
  };
}

/** Several sources back to back, as one. */
export function concatSources(parts: readonly ByteSource[]): ByteSource {
  const starts: number[] = [];
  let size = 0;
  for (const part of parts) {
    starts.push(size);
    size += part.size;
  }
  return {
    size,
    async read(offset, length) {
      checkRange(size, offset, length);
      const out = new Uint8Array(length);
      let done = 0;
      for (let i = 0; i < parts.length && done < length; i++) {
        const part = parts[i]!;
        const start = starts[i]!;
        const from = offset + done - start;
        if (from < 0 || from >= part.size) continue;
        const n = Math.min(part.size - from, length - done);
        out.set(await part.read(from, n), done);
        done += n;
      }
      return out;
    },
  };
}

/** A piece of a {@link sparseSource}: `source` placed at `offset`. */
export interface PlacedSource {
  readonly offset: number;
  readonly source: ByteSource;
}

/**
 * A source of `size` bytes assembled from non-overlapping pieces; bytes no
 * piece covers read as zero (PE padding between headers and sections).
 */
export function sparseSource(size: number, pieces: readonly PlacedSource[]): ByteSource {
  const sorted = [...pieces].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const piece of sorted) {
    if (piece.offset < end || piece.offset + piece.source.size > size) {
      throw new RangeError(`piece at ${piece.offset} (+${piece.source.size}) overlaps another or passes ${size}`);
    }
    end = piece.offset + piece.source.size;
  }
  return {
    size,
    async read(offset, length) {
      checkRange(size, offset, length);
      const out = new Uint8Array(length);
      for (const piece of sorted) {
        const from = Math.max(offset, piece.offset);
        const to = Math.min(offset + length, piece.offset + piece.source.size);
        if (from >= to) continue;
        out.set(await piece.source.read(from - piece.offset, to - from), from - offset);
      }
      return out;
    },
  };
}

/** Streams a source in chunks of at most {@link STREAM_CHUNK_SIZE} bytes. */
export async function* streamSource(source: ByteSource): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < source.size; offset += STREAM_CHUNK_SIZE) {
    yield await source.read(offset, Math.min(STREAM_CHUNK_SIZE, source.size - offset));
  }
}

/** Reads a whole source into memory; callers bound `size` first. */
export function readAllBytes(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    // A programming error inside this package (every caller bounds-checks untrusted offsets first).
    throw new RangeError(`read [${offset}, +${length}) outside a source of ${size} bytes`);
  }
}
