import { createHash, type Hash } from 'node:crypto';
import { DigestMismatchError, type StreamHasher, type StreamHasherFactory } from '@metalayer/core';
import { SizeMismatchError } from './errors/index';

/** Digest algorithms we can compute, with the length of their hex encoding (image-spec `descriptor.md`). */
const ALGORITHMS = { sha256: 64, sha512: 128 } as const;

/** A digest algorithm metalayer can verify. */
export type DigestAlgorithm = keyof typeof ALGORITHMS;

/** Grammar of `descriptor.md`: `algorithm ":" encoded`, algorithm components joined by `+._-`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Why `digest` is not a digest we can verify, or `undefined` when it is one.
 * Uppercase hex is forbidden by the spec for the registered algorithms.
 */
export function digestProblem(digest: string): string | undefined {
  if (typeof digest !== 'string' || !DIGEST_GRAMMAR.test(digest)) return `not a digest: ${JSON.stringify(digest)}`;
  const [algorithm, encoded] = digest.split(':') as [string, string];
  const length = ALGORITHMS[algorithm as DigestAlgorithm];
  if (length === undefined) return `unsupported digest algorithm ${algorithm} (supported: sha256, sha512)`;
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    return `${algorithm} digest must be ${length} lowercase hex digits`;
  }
  return undefined;
}

/** Whether `digest` is a well-formed sha256/sha512 digest. */
export function isDigest(digest: string): boolean {
  return digestProblem(digest) === undefined;
}

/** Splits a valid digest into algorithm and hex. */
export function splitDigest(digest: string): { algorithm: DigestAlgorithm; encoded: string } {
  const i = digest.indexOf(':');
  return { algorithm: digest.slice(0, i) as DigestAlgorithm, encoded: digest.slice(i + 1) };
}

/** The digest of `bytes`. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A running digest and byte count of content passing through {@link hashStream}. */
export interface StreamHash {
  /** The digest; valid once the stream has ended. */
  digest(): string;
  readonly size: number;
}

/** Passes `source` through unchanged while hashing it; read `result` after the stream ends. */
export function hashStream(
  source: AsyncIterable<Uint8Array>,
  algorithm: DigestAlgorithm = 'sha256',
): { stream: AsyncGenerator<Uint8Array>; result: StreamHash } {
  const hash: Hash = createHash(algorithm);
  let size = 0;
  let final: string | undefined;
  const result: StreamHash = {
    digest: () => (final ??= `${algorithm}:${hash.digest('hex')}`),
    get size() {
      return size;
    },
  };
  async function* stream(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.byteLength;
      yield chunk;
    }
  }
  return { stream: stream(), result };
}

/** What {@link verifyStream} checks content against. */
export interface ExpectedContent {
  digest: string;
  size?: number;
}

/** The default {@link StreamHasherFactory}: `node:crypto` on the calling thread. */
export const cryptoHasher: StreamHasherFactory = (algorithm): StreamHasher => {
  const hash = createHash(algorithm);
  return {
    update: (chunk) => void hash.update(chunk),
    end: async () => `${algorithm}:${hash.digest('hex')}`,
  };
};

/**
 * Passes `source` through and checks it against `expected`: a size overrun
 * throws as soon as it happens; a short stream or a wrong digest throws after
 * the last chunk. Consumers must treat everything read as untrusted until the
 * iteration has finished without error. `hasher` only decides where the
 * digest is computed (default {@link cryptoHasher}).
 */
export async function* verifyStream(
  source: AsyncIterable<Uint8Array>,
  expected: ExpectedContent,
  subject: string,
  hasher: StreamHasherFactory = cryptoHasher,
): AsyncGenerator<Uint8Array> {
  const { algorithm } = splitDigest(expected.digest);
  if (!Object.hasOwn(ALGORITHMS, algorithm)) {
    throw new DigestMismatchError({ subject, expected: expected.digest, actual: '(unsupported digest algorithm)' });
  }
  const hash = hasher(algorithm);
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (expected.size !== undefined && size > expected.size) {
      throw new SizeMismatchError({ subject, expected: expected.size, actual: size });
    }
    hash.update(chunk);
    yield chunk;
  }
  if (expected.size !== undefined && size !== expected.size) {
    throw new SizeMismatchError({ subject, expected: expected.size, actual: size });
  }
  const actual = await hash.end();
  if (actual !== expected.digest) throw new DigestMismatchError({ subject, expected: expected.digest, actual });
}

/** Checks whole content against `expected` (size first, then digest). */
export function verifyBytes(bytes: Uint8Array, expected: ExpectedContent, subject: string): void {
  if (expected.size !== undefined && bytes.byteLength !== expected.size) {
    throw new SizeMismatchError({ subject, expected: expected.size, actual: bytes.byteLength });
  }
  const actual = digestOf(bytes, splitDigest(expected.digest).algorithm);
  if (actual !== expected.digest) throw new DigestMismatchError({ subject, expected: expected.digest, actual });
}

/** Reads a whole stream into one array, refusing more than `maxSize` bytes. */
export async function collectBytes(
  source: AsyncIterable<Uint8Array>,
  maxSize: number,
  onOverflow: (size: number) => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > maxSize) throw onOverflow(size);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
