import { Worker } from 'node:worker_threads';
import { FSVERITY_BLOCK_SIZE, FsVerityHasher, fsverityAlgorithmInfo, type FsVerityAlgorithm } from '@metalayer/composefs';
import { HASH_WORKER_SOURCE } from './hash-worker-source';
import type { FileVerity, StreamDigest, VerityPool } from './verity-pool';

/** Bytes of file content shipped to a worker at once (256 fs-verity blocks). */
const JOB_SIZE = 1 << 20;
/** Most file pieces in one job (many tiny files): bounds the per-job bookkeeping. */
const MAX_SEGMENTS_PER_JOB = 4096;
/** Jobs queued per worker before writers must wait: keeps memory at a few MiB. */
const JOBS_PER_WORKER = 3;

interface FileState {
  /** Tree builders, made only for a file that spans several jobs. */
  hashers: FsVerityHasher[] | undefined;
  /** Whether a piece of the file was already shipped (its later pieces are not whole files). */
  shipped: boolean;
  /** Receives the digests (set by `end`). */
  done: ((digests: Uint8Array[]) => void) | undefined;
}

interface Segment {
  readonly file: FileState;
  readonly start: number;
  length: number;
  final: boolean;
  /** The segment is the whole file: the worker returns its complete digest. */
  whole: boolean;
}

interface StreamJob {
  readonly stream: number;
  readonly algorithm: string;
  final: boolean;
  resolve?: (digest: string) => void;
  reject?: (error: unknown) => void;
}

interface Job {
  readonly buffer: SharedArrayBuffer;
  /** Set for a job of a plain stream digest instead of file segments. */
  streamJob?: StreamJob;
  digest?: string | undefined;
  readonly view: Uint8Array;
  fill: number;
  readonly segments: Segment[];
  id: number;
  hashes: Uint8Array | undefined;
  worker: number;
}

/**
 * The pool with worker threads: content is copied into shared 1 MiB buffers,
 * workers return level-0 block hashes, and the Merkle trees are finished
 * here, strictly in the order the content was fed.
 */
export class ThreadedVerityPool implements VerityPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly free: SharedArrayBuffer[] = [];
  /** Dispatched jobs in order; results are applied strictly in this order. */
  private readonly inflight: Job[] = [];
  private current: Job | undefined;
  private nextId = 0;
  private waiters: Array<() => void> = [];
  /** Woken whenever the last job in flight is done. */
  private drainers: Array<() => void> = [];
  private failure: unknown;
  private readonly digestSizes: number[];
  private nextStream = 0;

  constructor(
    readonly algorithms: readonly FsVerityAlgorithm[],
    threads: number,
  ) {
    this.threads = threads;
    this.digestSizes = algorithms.map((a) => fsverityAlgorithmInfo(a).digestSize);
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(HASH_WORKER_SOURCE, { eval: true, workerData: { algorithms: [...algorithms] } });
      worker.on('message', (message: { id: number; hashes?: ArrayBuffer; digest?: string }) => this.onResult(i, message));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && this.failure === undefined) this.fail(new Error(`fs-verity hash worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  begin(): FileVerity {
    this.throwIfFailed();
    const file: FileState = { hashers: undefined, shipped: false, done: undefined };
    return {
      update: (chunk) => {
        if (file.done) throw new Error('FileVerity.update after end');
        this.append(file, chunk);
      },
      end: (done) => {
        if (file.done) throw new Error('FileVerity.end called twice');
        file.done = done;
        this.finish(file);
      },
    };
  }

  beginStream(algorithm: 'sha256' | 'sha512'): StreamDigest {
    this.throwIfFailed();
    const stream = this.nextStream++;
    // Every piece goes to the same worker: its message queue keeps them in order.
    const worker = stream % this.workers.length;
    let job: Job | undefined;
    const send = (final: boolean, resolve?: (d: string) => void, reject?: (e: unknown) => void) => {
      const current = job ?? this.newJob();
      job = undefined;
      current.streamJob = { stream, algorithm, final, ...(resolve ? { resolve } : {}), ...(reject ? { reject } : {}) };
      this.post(current, worker, { stream, algorithm, length: current.fill, final });
    };
    return {
      update: (chunk) => {
        this.throwIfFailed();
        let offset = 0;
        while (offset < chunk.length) {
          job ??= this.newJob();
          const n = Math.min(JOB_SIZE - job.fill, chunk.length - offset);
          job.view.set(chunk.subarray(offset, offset + n), job.fill);
          job.fill += n;
          offset += n;
          if (job.fill === JOB_SIZE) send(false);
        }
      },
      end: () =>
        new Promise<string>((resolve, reject) => {
          this.throwIfFailed();
          send(true, (hex) => resolve(`${algorithm}:${hex}`), reject);
        }),
    };
  }

  pressure(): Promise<void> | undefined {
    this.throwIfFailed();
    if (this.inflight.length < this.threads * JOBS_PER_WORKER) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  flush(): void {
    this.dispatch();
  }

  async drain(): Promise<void> {
    this.throwIfFailed();
    this.dispatch();
    while (this.inflight.length > 0) {
      await new Promise<void>((resolve) => this.drainers.push(resolve));
      this.throwIfFailed();
    }
  }

  async close(): Promise<void> {
    this.fail(new Error('fs-verity hash pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private newJob(): Job {
    const buffer = this.free.pop() ?? new SharedArrayBuffer(JOB_SIZE);
    return { buffer, view: new Uint8Array(buffer), fill: 0, segments: [], id: -1, hashes: undefined, worker: -1 };
  }

  private segmentFor(file: FileState): { job: Job; segment: Segment } {
    for (;;) {
      const job = (this.current ??= this.newJob());
      const last = job.segments.at(-1);
      if (last !== undefined && last.file === file) return { job, segment: last };
      if (job.segments.length >= MAX_SEGMENTS_PER_JOB || job.fill === JOB_SIZE) {
        this.dispatch();
        continue;
      }
      const segment: Segment = { file, start: job.fill, length: 0, final: false, whole: false };
      job.segments.push(segment);
      return { job, segment };
    }
  }

  private append(file: FileState, chunk: Uint8Array): void {
    this.throwIfFailed();
    let offset = 0;
    while (offset < chunk.length) {
      const { job, segment } = this.segmentFor(file);
      const n = Math.min(JOB_SIZE - job.fill, chunk.length - offset);
      job.view.set(chunk.subarray(offset, offset + n), job.fill);
      job.fill += n;
      segment.length += n;
      offset += n;
      if (job.fill === JOB_SIZE) this.dispatch();
    }
  }

  private finish(file: FileState): void {
    this.throwIfFailed();
    this.segmentFor(file).segment.final = true;
  }

  /** Ships the current job; a partial block of an unfinished file moves on to the next job. */
  private dispatch(): void {
    const job = this.current;
    this.current = undefined;
    if (job === undefined || job.segments.length === 0) {
      if (job) this.free.push(job.buffer);
      return;
    }
    const last = job.segments.at(-1)!;
    let carry: Uint8Array | undefined;
    if (!last.final) {
      const tail = last.length % FSVERITY_BLOCK_SIZE;
      if (tail > 0) {
        carry = job.view.slice(last.start + last.length - tail, last.start + last.length);
        last.length -= tail;
      }
      if (last.length === 0) job.segments.pop();
    }
    if (job.segments.length > 0) {
      const segments = new Float64Array(job.segments.length * 3);
      job.segments.forEach((s, i) => {
        s.whole = s.final && !s.file.shipped;
        s.file.shipped = true;
        segments[3 * i] = s.start;
        segments[3 * i + 1] = s.length;
        segments[3 * i + 2] = s.whole ? 1 : 0;
      });
      let worker = 0;
      for (let i = 1; i < this.workers.length; i++) if (this.load[i]! < this.load[worker]!) worker = i;
      this.post(job, worker, { segments });
    } else {
      this.free.push(job.buffer);
    }
    if (carry !== undefined) {
      const next = (this.current = this.newJob());
      next.view.set(carry, 0);
      next.fill = carry.length;
      next.segments.push({ file: last.file, start: 0, length: carry.length, final: false, whole: false });
    }
  }

  /** Sends a job to a worker; results are applied in sending order. */
  private post(job: Job, worker: number, fields: Record<string, unknown>): void {
    job.id = this.nextId++;
    job.worker = worker;
    this.load[worker]!++;
    this.inflight.push(job);
    this.workers[worker]!.postMessage({ id: job.id, buffer: job.buffer, ...fields });
  }

  private onResult(worker: number, message: { id: number; hashes?: ArrayBuffer; digest?: string }): void {
    this.load[worker]!--;
    const job = this.inflight.find((j) => j.id === message.id);
    if (job === undefined) return;
    job.hashes = message.hashes ? new Uint8Array(message.hashes) : new Uint8Array(0);
    job.digest = message.digest;
    try {
      while (this.inflight.length > 0 && this.inflight[0]!.hashes !== undefined) {
        const done = this.inflight.shift()!;
        this.apply(done);
        this.free.push(done.buffer);
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    // Wake writers only below the limit: a woken writer may queue a stream job and a file job at once.
    if (this.inflight.length < this.threads * JOBS_PER_WORKER) this.wake();
    if (this.inflight.length === 0) this.wakeDrainers();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private wakeDrainers(): void {
    const drainers = this.drainers;
    this.drainers = [];
    for (const wake of drainers) wake();
  }

  private apply(job: Job): void {
    if (job.streamJob) {
      if (job.streamJob.final) job.streamJob.resolve?.(job.digest!);
      return;
    }
    const hashes = job.hashes!;
    let offset = 0;
    for (const segment of job.segments) {
      const file = segment.file;
      if (segment.whole) {
        // Views into the reply buffer: one backing store per job instead of one per digest.
        const digests = this.digestSizes.map((size) => hashes.subarray(offset, (offset += size)));
        file.done!(digests);
        continue;
      }
      const hashers = (file.hashers ??= this.algorithms.map((a) => new FsVerityHasher(a)));
      const blocks = Math.ceil(segment.length / FSVERITY_BLOCK_SIZE);
      hashers.forEach((hasher, a) => {
        const size = blocks * this.digestSizes[a]!;
        if (blocks > 0) hasher.updateBlockHashes(hashes.subarray(offset, offset + size), segment.length);
        offset += size;
      });
      if (segment.final) file.done!(hashers.map((h) => h.digest()));
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const job of this.inflight) job.streamJob?.reject?.(error);
    this.wake();
    this.wakeDrainers();
  }
}
