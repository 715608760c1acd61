import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { FsVerityHasher, type FsVerityAlgorithm } from '@metalayer/composefs';
import { ThreadedVerityPool } from './threaded-verity-pool';

/** Most hashing threads used, whatever the machine. */
export const MAX_HASH_THREADS = 8;

/** The fs-verity digests of one file, computed while its content streams by. */
export interface FileVerity {
  /** Feeds content (copied: the caller may reuse the chunk). */
  update(chunk: Uint8Array): void;
  /**
   * No more content: `done` gets one digest per pool algorithm once they are
   * computed (a callback, not a promise: tens of thousands of files per
   * layer). A failure fails the pool instead: {@link VerityPool.drain} rejects.
   */
  end(done: (digests: Uint8Array[]) => void): void;
}

/** A plain digest (sha256 of a layer's tar stream) computed as the bytes stream by. */
export interface StreamDigest {
  update(chunk: Uint8Array): void;
  /** No more data: resolves to `<algorithm>:<hex>`. */
  end(): Promise<string>;
}

/** Options of {@link createVerityPool}. */
export interface VerityPoolOptions {
  /** Digests computed for every file, in this order. */
  algorithms: readonly FsVerityAlgorithm[];
  /** Worker threads; 0 hashes on the calling thread. Default: one per CPU (at most {@link MAX_HASH_THREADS}). */
  threads?: number;
}

/**
 * Computes fs-verity digests of many files as their content streams by.
 * With threads, level-0 block hashes (nearly all the work) run in worker
 * threads over batched content while the caller keeps parsing; the Merkle
 * tree's upper levels are finished here, in order.
 */
export interface VerityPool {
  readonly algorithms: readonly FsVerityAlgorithm[];
  readonly threads: number;
  begin(): FileVerity;
  /** Starts a plain digest of a stream (hashed in a worker when there are any, in order). */
  beginStream(algorithm: 'sha256' | 'sha512'): StreamDigest;
  /** A promise to await before feeding more when too much work is queued, else undefined. */
  pressure(): Promise<void> | undefined;
  /** Ships buffered content to the workers now (call before waiting on a digest). */
  flush(): void;
  /** Ships buffered content and resolves once every digest begun so far was delivered; rejects when hashing failed. */
  drain(): Promise<void>;
  /** Stops the workers; pending digests are rejected. */
  close(): Promise<void>;
}

/**
 * Threads to use by default: one per CPU, within limits. Every byte of a
 * layer is hashed twice (its digest and fs-verity) while the calling thread
 * only parses: the calling thread spends much of a layer waiting for the
 * workers, so it does not need a core of its own.
 */
export function defaultHashThreads(): number {
  return Math.max(1, Math.min(MAX_HASH_THREADS, availableParallelism()));
}

/** A pool hashing on the calling thread (small inputs, or when threads are unwanted). */
function inlinePool(algorithms: readonly FsVerityAlgorithm[]): VerityPool {
  return {
    algorithms,
    threads: 0,
    begin() {
      const hashers = algorithms.map((a) => new FsVerityHasher(a));
      return {
        update: (chunk) => {
          for (const h of hashers) h.update(chunk);
        },
        end: (done) => done(hashers.map((h) => h.digest())),
      };
    },
    beginStream(algorithm) {
      const hash = createHash(algorithm);
      return {
        update: (chunk) => void hash.update(chunk),
        end: async () => `${algorithm}:${hash.digest('hex')}`,
      };
    },
    pressure: () => undefined,
    flush: () => undefined,
    drain: async () => undefined,
    close: async () => undefined,
  };
}

/** Starts a pool; `threads: 0` (or a tiny job) hashes inline. */
export function createVerityPool(options: VerityPoolOptions): VerityPool {
  const threads = Math.max(0, Math.min(MAX_HASH_THREADS, Math.floor(options.threads ?? defaultHashThreads())));
  if (options.algorithms.length === 0) throw new Error('createVerityPool: no algorithm');
  return threads === 0 ? inlinePool(options.algorithms) : new ThreadedVerityPool(options.algorithms, threads);
}
