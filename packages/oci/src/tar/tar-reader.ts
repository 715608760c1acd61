import type { TarHeader } from './entry-header';
import { TarParser } from './tar-parser';

export type { TarHeader } from './entry-header';

/** A tar entry: header plus its content, readable once, before the next entry is requested. */
export interface TarEntry {
  header: TarHeader;
  /** Exactly `header.size` bytes; skipped automatically when not read. */
  body: AsyncIterable<Uint8Array>;
}

/** Options of {@link readTar}. */
export interface ReadTarOptions {
  /**
   * After the end-of-archive marker, read the source to its end, so that a
   * digest computed upstream covers every byte. Default false: stop there.
   */
  drain?: boolean;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The entries of a tar stream, parsed synchronously as chunks arrive: one
 * promise per entry and per body chunk, no generator per entry.
 */
class TarReader implements AsyncIterableIterator<TarEntry> {
  readonly parser = new TarParser();
  /** Counts entries handed out: a body reads only while its entry is the current one. */
  entries = 0;
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #drain: boolean;

  constructor(source: AsyncIterable<Uint8Array>, drain: boolean) {
    this.#source = source[Symbol.asyncIterator]();
    this.#drain = drain;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Feeds the next chunk; at the end of the source the parser checks the archive is complete (and throws if not). */
  async pull(): Promise<void> {
    const next = await this.#source.next();
    if (next.done) this.parser.finish();
    else this.parser.feed(next.value);
  }

  async next(): Promise<IteratorResult<TarEntry>> {
    for (;;) {
      // Whatever is left of the previous entry's body is skipped.
      const event = this.parser.next();
      if (event === 'entry') return { done: false, value: { header: this.parser.header!, body: new EntryBody(this, ++this.entries) } };
      if (event === 'end') {
        if (this.#drain) while (!(await this.#source.next()).done);
        return DONE;
      }
      if (event === 'need-input') await this.pull();
    }
  }

  async return(): Promise<IteratorResult<TarEntry>> {
    await this.#source.return?.();
    return DONE;
  }
}

/** The body of one entry: views of the input as they arrive. */
class EntryBody implements AsyncIterableIterator<Uint8Array> {
  #ended = false;

  constructor(
    private readonly reader: TarReader,
    private readonly entry: number,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    const { reader } = this;
    while (!this.#ended && reader.entries === this.entry) {
      const event = reader.parser.next();
      if (event === 'data') return { done: false, value: reader.parser.data };
      if (event === 'need-input') await reader.pull();
      else this.#ended = true;
    }
    return DONE;
  }
}

/**
 * Reads a tar stream entry by entry (ustar, PAX, GNU long names and links).
 * Stops at the first zero block (see `drain`). Sparse and multi-volume
 * entries are refused. Bodies are views of the input chunks.
 */
export function readTar(source: AsyncIterable<Uint8Array>, options: ReadTarOptions = {}): AsyncIterableIterator<TarEntry> {
  return new TarReader(source, options.drain ?? false);
}
