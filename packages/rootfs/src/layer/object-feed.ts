import type { ObjectWriter } from '@metalayer/composefs';
import type { VerityPool } from '../hashing/verity-pool';
import { MAX_PENDING_OBJECTS } from '../limits';
import { PendingWork } from './pending-work';

/** Receives the content of every external file while it streams (deploy). */
export interface ObjectSink {
  /** Which of the pool's digests names the objects. */
  readonly algorithmIndex: number;
  create(): Promise<ObjectWriter>;
}

/** One external file on its way into the sink: writes queue up in order while the layer is parsed. */
export interface SinkFile {
  write(bytes: Uint8Array): void;
  /** The file is complete; it is committed under `digests[sink.algorithmIndex]` once they arrive. */
  commitWhen(digests: Promise<readonly Uint8Array[]>): void;
}

/**
 * Deploy's side of a layer scan: each external file's bytes go to a new
 * object writer, in order, while the parser moves on (the bytes are views of
 * input chunks nobody reuses); {@link afterChunk} keeps the queue short.
 */
export class ObjectFeed {
  readonly #sink: ObjectSink;
  readonly #commits = new PendingWork();
  /** Settles once the writes queued so far are done. */
  #writes: Promise<void> = Promise.resolve();
  /** Writers not committed yet: aborted when the scan fails. */
  readonly #open = new Set<Promise<ObjectWriter>>();
  /** Rejected by {@link abandon}: digests of a failed pool never arrive, their commits must still end. */
  readonly #cancelled: Promise<never>;
  #cancel!: (reason: unknown) => void;

  constructor(sink: ObjectSink) {
    this.#sink = sink;
    this.#cancelled = new Promise<never>((_, reject) => {
      this.#cancel = reject;
    });
    this.#cancelled.catch(() => undefined);
  }

  open(): SinkFile {
    const writer = this.#sink.create();
    this.#open.add(writer);
    let tail: Promise<unknown> = writer;
    return {
      write: (bytes) => {
        tail = tail.then(async () => (await writer).write(bytes));
        const writes = tail.then(() => undefined);
        // Awaited by afterChunk; a failure is handled there, or by abandon once a later write replaced it.
        writes.catch(() => undefined);
        this.#writes = writes;
      },
      commitWhen: (digests) => {
        const index = this.#sink.algorithmIndex;
        this.#commits.add(
          Promise.all([tail, Promise.race([digests, this.#cancelled])]).then(async ([, d]) => {
            this.#open.delete(writer);
            await (await writer).commit(d[index]!);
          }),
        );
      },
    };
  }

  /** Between input chunks: wait for queued writes, and for the oldest commits when too many wait for digests. */
  async afterChunk(pool: VerityPool): Promise<void> {
    await this.#writes;
    while (this.#commits.size >= MAX_PENDING_OBJECTS) {
      // The oldest commit waits for its digest: make sure it is being computed.
      pool.flush();
      await this.#commits.waitOldest();
    }
  }

  /** Everything committed; throws the first failure. */
  async drain(): Promise<void> {
    await this.#commits.drain();
  }

  /** After a failure: abandon what is pending and discard uncommitted objects. */
  async abandon(): Promise<void> {
    this.#cancel(new Error('layer scan failed'));
    await this.#writes.catch(() => undefined);
    await this.#commits.settle();
    for (const writer of this.#open)
      await writer
        .then(
          (w) => w.abort(),
          () => undefined,
        )
        .catch(() => undefined);
    this.#open.clear();
  }
}
