/**
 * Background promises (digests being computed, objects being committed)
 * awaited later. A rejection is kept and rethrown by {@link drain}, never
 * left unhandled.
 */
export class PendingWork {
  private readonly queue: Array<Promise<unknown>> = [];
  private failure: { error: unknown } | undefined;

  get size(): number {
    return this.queue.length;
  }

  add(promise: Promise<unknown>): void {
    promise.catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.queue.push(promise);
  }

  /** Waits for the oldest promise; throws the first failure seen so far. */
  async waitOldest(): Promise<void> {
    const oldest = this.queue.shift();
    if (oldest) await oldest.catch(() => undefined);
    if (this.failure) throw this.failure.error;
  }

  /** Waits for everything; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for everything, ignoring failures (cleanup after another error). */
  async settle(): Promise<void> {
    while (this.queue.length > 0) await this.queue.shift()!.catch(() => undefined);
  }
}
