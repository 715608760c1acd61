import { bytesToByteString, LimitExceededError } from '@metalayer/core';
import { TarFormatError } from '../errors/index';
import { MAX_TAR_META_SIZE } from '../limits';
import { entryHeader, type PendingRecords, type TarHeader } from './entry-header';
import { parsePaxRecords } from './pax';
import { BLOCK_SIZE, decodeHeader, isZeroBlock } from './tar-header';

/**
 * What {@link TarParser.next} found: an entry's header (`parser.header`), a
 * piece of its body (`parser.data`), the end of its body, the end-of-archive
 * marker, or nothing more in the bytes fed so far.
 */
export type TarEvent = 'entry' | 'data' | 'entry-end' | 'end' | 'need-input';

/** Typeflags of the GNU and PAX meta entries that describe the next entry. */
const META = { paxLocal: 'x', paxGlobal: 'g', gnuLongName: 'L', gnuLongLink: 'K' } as const;
const padding = (size: number) => (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;

type State = 'header' | 'meta' | 'body' | 'padding' | 'done';

/** A meta entry's record being collected. */
interface Meta {
  readonly typeflag: string;
  readonly offset: number;
  readonly field: string;
  readonly data: Uint8Array;
  fill: number;
}

/**
 * A synchronous, pull-style tar parser (ustar, PAX, GNU long names and
 * links): feed it chunks, ask for events. Work happens only inside `next()`,
 * one event at a time, so a malformed entry fails when it is reached, and the
 * per-entry cost is a few comparisons instead of promises. Bodies are views
 * into the chunks fed (no copy); headers and meta records are copied.
 */
export class TarParser {
  /** The entry of the last `entry` event. */
  header: TarHeader | undefined;
  /** The body bytes of the last `data` event. */
  data: Uint8Array = new Uint8Array(0);
  /** Stream offset of the next byte to parse. */
  position = 0;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  #state: State = 'header';
  /** A header block split across chunks. */
  readonly #block = new Uint8Array(BLOCK_SIZE);
  #blockFill = 0;
  #meta: Meta | undefined;
  #records: PendingRecords = { local: undefined, global: new Map(), longName: undefined, longLink: undefined, metaOffset: undefined };
  /** Body or padding bytes still to come, and the entry's body start/size for messages. */
  #left = 0;
  #pad = 0;
  #bodyStart = 0;
  #bodySize = 0;

  /** Whether the end-of-archive marker was reached (what follows is not parsed). */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Gives the parser the next chunk; only after `next()` asked for input. */
  feed(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#at = 0;
  }

  /** The input ended: throws unless the end-of-archive marker was reached. */
  finish(): void {
    const state = this.#state;
    if (state === 'done') return;
    if (state === 'header') {
      const offset = this.position - this.#blockFill;
      throw new TarFormatError({
        offset,
        reason: this.#blockFill === 0 ? 'unexpected end of stream: no end-of-archive marker' : 'truncated header block',
      });
    }
    if (this.#meta) throw new TarFormatError({ offset: this.#meta.offset, field: this.#meta.field, reason: 'truncated' });
    if (state === 'body') {
      const consumed = this.#bodySize - this.#left;
      throw new TarFormatError({
        offset: this.#bodyStart,
        reason: `entry ${JSON.stringify(this.header!.name)} truncated: ${consumed} of ${this.#bodySize} bytes`,
      });
    }
    throw new TarFormatError({ offset: this.position, reason: 'truncated padding' });
  }

  /** The next event from the bytes fed so far. */
  next(): TarEvent {
    for (;;) {
      const available = this.#chunk.length - this.#at;
      switch (this.#state) {
        case 'done':
          return 'end';
        case 'body': {
          if (this.#left === 0) {
            this.#state = this.#pad > 0 ? 'padding' : 'header';
            return 'entry-end';
          }
          if (available === 0) return 'need-input';
          const n = Math.min(this.#left, available);
          this.data = this.#chunk.subarray(this.#at, this.#at + n);
          this.#consume(n);
          this.#left -= n;
          return 'data';
        }
        case 'padding': {
          if (available === 0) return 'need-input';
          const n = Math.min(this.#pad, available);
          this.#consume(n);
          this.#pad -= n;
          if (this.#pad === 0) this.#afterPadding();
          continue;
        }
        case 'meta': {
          if (available === 0) return 'need-input';
          const meta = this.#meta!;
          const n = Math.min(meta.data.length - meta.fill, available);
          meta.data.set(this.#chunk.subarray(this.#at, this.#at + n), meta.fill);
          meta.fill += n;
          this.#consume(n);
          if (meta.fill === meta.data.length) this.#startPadding(padding(meta.data.length));
          continue;
        }
        case 'header': {
          let block: Uint8Array;
          if (this.#blockFill === 0 && available >= BLOCK_SIZE) {
            block = this.#chunk.subarray(this.#at, this.#at + BLOCK_SIZE);
            this.#consume(BLOCK_SIZE);
          } else {
            if (available === 0) return 'need-input';
            const n = Math.min(BLOCK_SIZE - this.#blockFill, available);
            this.#block.set(this.#chunk.subarray(this.#at, this.#at + n), this.#blockFill);
            this.#blockFill += n;
            this.#consume(n);
            if (this.#blockFill < BLOCK_SIZE) return 'need-input';
            this.#blockFill = 0;
            block = this.#block;
          }
          const event = this.#onHeader(block, this.position - BLOCK_SIZE);
          if (event !== undefined) return event;
        }
      }
    }
  }

  #consume(n: number): void {
    this.#at += n;
    this.position += n;
  }

  #startPadding(pad: number): void {
    this.#pad = pad;
    this.#state = 'padding';
    if (pad === 0) this.#afterPadding();
  }

  /** After a meta record's padding its record applies; after a body's, the next header follows. */
  #afterPadding(): void {
    this.#state = 'header';
    const meta = this.#meta;
    if (meta === undefined) return;
    this.#meta = undefined;
    const records = this.#records;
    if (meta.typeflag === META.paxLocal || meta.typeflag === META.paxGlobal) {
      const parsed = parsePaxRecords(meta.data, meta.offset);
      if (meta.typeflag === META.paxGlobal) records.global = new Map([...records.global, ...parsed]);
      else records.local = parsed;
    } else {
      const end = meta.data.indexOf(0);
      const value = bytesToByteString(end === -1 ? meta.data : meta.data.subarray(0, end));
      if (meta.typeflag === META.gnuLongName) records.longName = value;
      else records.longLink = value;
    }
    records.metaOffset ??= meta.offset;
  }

  /** Handles a header block: an entry or the end, or nothing yet for a meta entry. */
  #onHeader(block: Uint8Array, offset: number): 'entry' | 'end' | undefined {
    const records = this.#records;
    if (isZeroBlock(block)) {
      if (records.metaOffset !== undefined)
        throw new TarFormatError({ offset, reason: 'end of archive after a PAX/GNU record without its entry' });
      this.#state = 'done';
      return 'end';
    }
    const raw = decodeHeader(block, offset);
    const { typeflag } = raw;
    if (typeflag === META.paxLocal || typeflag === META.paxGlobal || typeflag === META.gnuLongName || typeflag === META.gnuLongLink) {
      const field = typeflag === META.gnuLongName ? 'GNU long name' : typeflag === META.gnuLongLink ? 'GNU long link' : 'pax';
      if (raw.size > MAX_TAR_META_SIZE) {
        throw new LimitExceededError({
          limit: 'MAX_TAR_META_SIZE',
          maximum: MAX_TAR_META_SIZE,
          actual: raw.size,
          subject: `tar ${field} record at offset ${offset}`,
        });
      }
      this.#meta = { typeflag, offset, field, data: new Uint8Array(raw.size), fill: 0 };
      this.#state = 'meta';
      if (raw.size === 0) this.#startPadding(0);
      return undefined;
    }
    this.header = entryHeader(raw, records, offset);
    if (records.metaOffset !== undefined) {
      records.local = undefined;
      records.longName = undefined;
      records.longLink = undefined;
      records.metaOffset = undefined;
    }
    this.#bodyStart = this.position;
    this.#bodySize = this.header.size;
    this.#left = this.header.size;
    this.#pad = padding(this.header.size);
    this.#state = 'body';
    return 'entry';
  }
}
