/**
 * Pulls exact byte counts out of a chunked async stream without copying more
 * than needed: the tar reader's view of its input.
 */
export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #ended = false;
  /** Bytes consumed so far (the stream offset of the next byte). */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Ensures buffered data, returning false at end of stream. */
  async #more(): Promise<boolean> {
    while (this.#chunk.length === 0) {
      if (this.#ended) return false;
      const next = await this.#source.next();
      if (next.done) {
        this.#ended = true;
        return false;
      }
      this.#chunk = next.value;
    }
    return true;
  }

  /** Reads exactly `n` bytes; returns fewer only at end of stream. */
  async read(n: number): Promise<Uint8Array> {
    if (!(await this.#more())) return new Uint8Array(0);
    if (this.#chunk.length >= n) return this.#take(n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n && (await this.#more())) {
      const part = this.#take(Math.min(n - filled, this.#chunk.length));
      out.set(part, filled);
      filled += part.length;
    }
    return filled === n ? out : out.subarray(0, filled);
  }

  #take(n: number): Uint8Array {
    const part = this.#chunk.subarray(0, n);
    this.#chunk = this.#chunk.subarray(n);
    this.position += n;
    return part;
  }

  /** Yields the next `n` bytes as they arrive (views, no copy); stops early at end of stream. */
  async *stream(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0 && (await this.#more())) {
      const part = this.#take(Math.min(left, this.#chunk.length));
      left -= part.length;
      yield part;
    }
  }

  /** Skips `n` bytes; returns how many were actually skipped. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    for await (const part of this.stream(n)) skipped += part.length;
    return skipped;
  }

  /** Consumes the rest of the stream, returning the byte count (so hashes upstream see everything). */
  async drain(): Promise<number> {
    let count = 0;
    while (await this.#more()) count += this.#take(this.#chunk.length).length;
    return count;
  }

  /** Stops the underlying stream early. */
  async close(): Promise<void> {
    await this.#source.return?.();
  }
}
