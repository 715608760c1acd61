import { LimitExceededError } from '@metalayer/core';
import { TarFormatError } from '../errors/index';
import { MAX_TAR_META_SIZE } from '../limits';
import { bytesToByteString } from '@metalayer/core';
import { ByteReader } from './byte-reader';
import { parsePaxRecords, parsePaxTime, xattrsFromPax, type TarTime } from './pax';
import { BLOCK_SIZE, decodeHeader, isZeroBlock, TYPEFLAGS, type TarEntryType } from './tar-header';

/** One tar entry's metadata, after PAX and GNU long-name records are applied. */
export interface TarHeader {
  /** Path as a byte string (`ByteString` of `@metalayer/core`), exactly as archived (no normalisation). */
  name: string;
  type: TarEntryType;
  /** The raw typeflag character (`'0'`, `'7'`, `'5'`, …). */
  typeflag: string;
  /** Permission bits including set-uid/set-gid/sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** User and group names as byte strings (informative; OCI ignores them). */
  uname: string;
  gname: string;
  /** Size of the entry's content in bytes (0 for everything but regular files). */
  size: number;
  /** Modification time with nanoseconds (from PAX `mtime` when present). */
  mtime: TarTime;
  /** Symlink target or hard-link target path, as a byte string. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes: byte-string names → raw values, in archive order. */
  xattrs: Map<string, Uint8Array>;
  /** The entry's own PAX records (typeflag `x`), byte-string keys, raw values. */
  pax: ReadonlyMap<string, Uint8Array>;
  /**
   * Global PAX records (typeflag `g`) seen so far. Reported, not applied:
   * composefs-rs (tar-core) and Go's archive/tar (podman, umoci) ignore them
   * for entry fields, and trees must match theirs.
   */
  globalPax: ReadonlyMap<string, Uint8Array>;
  /** Offset of the entry's (first) header block in the uncompressed stream. */
  offset: number;
}

/** A tar entry: header plus its content, readable once, before the next entry is requested. */
export interface TarEntry {
  header: TarHeader;
  /** Exactly `header.size` bytes; skipped automatically when not read. */
  body: AsyncIterable<Uint8Array>;
}

/** Typeflags for GNU and PAX meta entries that describe the next entry. */
const META = { paxLocal: 'x', paxGlobal: 'g', gnuLongName: 'L', gnuLongLink: 'K' } as const;
const NO_RECORDS: ReadonlyMap<string, Uint8Array> = new Map();
const padding = (size: number) => (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;

async function readMeta(reader: ByteReader, size: number, offset: number, field: string): Promise<Uint8Array> {
  if (size > MAX_TAR_META_SIZE) {
    throw new LimitExceededError({ limit: 'MAX_TAR_META_SIZE', maximum: MAX_TAR_META_SIZE, actual: size, subject: `tar ${field} record at offset ${offset}` });
  }
  const data = await reader.read(size);
  if (data.length !== size || (await reader.skip(padding(size))) !== padding(size)) {
    throw new TarFormatError({ offset, field, reason: 'truncated' });
  }
  return data.slice();
}

function paxNumber(records: ReadonlyMap<string, Uint8Array>, key: string, fallback: number, offset: number): number {
  const value = records.get(key);
  if (value === undefined) return fallback;
  const text = bytesToByteString(value);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new TarFormatError({ offset, field: `pax ${key}`, reason: `not a number: ${JSON.stringify(text)}` });
  }
  return Number(text);
}

/**
 * Reads a tar stream entry by entry (ustar, PAX, GNU long names and links).
 * Stops at the first zero block; the caller drains what follows when it needs
 * to hash the whole stream. Sparse and multi-volume entries are refused.
 */
export async function* readTar(source: AsyncIterable<Uint8Array> | ByteReader): AsyncGenerator<TarEntry> {
  const reader = source instanceof ByteReader ? source : new ByteReader(source);
  let global = new Map<string, Uint8Array>();
  let local: Map<string, Uint8Array> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let metaOffset: number | undefined;
  for (;;) {
    const offset = reader.position;
    const block = await reader.read(BLOCK_SIZE);
    if (block.length < BLOCK_SIZE) {
      throw new TarFormatError({ offset, reason: block.length === 0 ? 'unexpected end of stream: no end-of-archive marker' : 'truncated header block' });
    }
    if (isZeroBlock(block)) {
      if (metaOffset !== undefined) throw new TarFormatError({ offset, reason: 'end of archive after a PAX/GNU record without its entry' });
      return;
    }
    const raw = decodeHeader(block, offset);
    if (raw.typeflag === META.paxLocal || raw.typeflag === META.paxGlobal) {
      const records = parsePaxRecords(await readMeta(reader, raw.size, offset, 'pax'), offset);
      if (raw.typeflag === META.paxGlobal) global = new Map([...global, ...records]);
      else local = records;
      metaOffset ??= offset;
      continue;
    }
    if (raw.typeflag === META.gnuLongName || raw.typeflag === META.gnuLongLink) {
      const data = await readMeta(reader, raw.size, offset, raw.typeflag === 'L' ? 'GNU long name' : 'GNU long link');
      const end = data.indexOf(0);
      const value = bytesToByteString(end === -1 ? data : data.subarray(0, end));
      if (raw.typeflag === META.gnuLongName) longName = value;
      else longLink = value;
      metaOffset ??= offset;
      continue;
    }
    const type = TYPEFLAGS[raw.typeflag];
    if (type === undefined) {
      const what = raw.typeflag === 'S' ? 'GNU sparse file' : raw.typeflag === 'M' ? 'multi-volume continuation' : `typeflag ${JSON.stringify(raw.typeflag)}`;
      throw new TarFormatError({ offset, field: 'typeflag', reason: `unsupported entry: ${what}` });
    }
    const pax = local ?? NO_RECORDS;
    if ([...pax.keys()].some((k) => k.startsWith('GNU.sparse.'))) throw new TarFormatError({ offset, field: 'pax', reason: 'unsupported entry: PAX sparse file' });
    const headerOffset = metaOffset ?? offset;
    const paxPath = pax.get('path');
    const paxLink = pax.get('linkpath');
    const paxMtime = pax.get('mtime');
    const header: TarHeader = {
      name: paxPath ? bytesToByteString(paxPath) : (longName ?? raw.name),
      type,
      typeflag: raw.typeflag,
      mode: raw.mode & 0o7777,
      uid: paxNumber(pax, 'uid', raw.uid, offset),
      gid: paxNumber(pax, 'gid', raw.gid, offset),
      uname: pax.has('uname') ? bytesToByteString(pax.get('uname')!) : raw.uname,
      gname: pax.has('gname') ? bytesToByteString(pax.get('gname')!) : raw.gname,
      size: paxNumber(pax, 'size', raw.size, offset),
      mtime: paxMtime ? parsePaxTime(bytesToByteString(paxMtime), offset, 'pax mtime') : { seconds: raw.mtime, nanoseconds: 0 },
      linkname: paxLink ? bytesToByteString(paxLink) : (longLink ?? raw.linkname),
      devmajor: raw.devmajor,
      devminor: raw.devminor,
      xattrs: xattrsFromPax(pax),
      pax,
      globalPax: global,
      offset: headerOffset,
    };
    local = undefined;
    longName = undefined;
    longLink = undefined;
    metaOffset = undefined;
    // pax(1) "ustar Interchange Format": only regular files have data records; the size field of other types is ignored.
    const dataSize = type === 'file' ? header.size : 0;
    if (type !== 'file') header.size = 0;
    let consumed = 0;
    const bodyStart = reader.position;
    const body = (async function* () {
      for await (const part of reader.stream(dataSize - consumed)) {
        consumed += part.length;
        yield part;
      }
      if (consumed < dataSize) throw new TarFormatError({ offset: bodyStart, reason: `entry ${JSON.stringify(header.name)} truncated: ${consumed} of ${dataSize} bytes` });
    })();
    yield { header, body };
    if (consumed < dataSize) {
      consumed += await reader.skip(dataSize - consumed);
      if (consumed < dataSize) throw new TarFormatError({ offset: bodyStart, reason: `entry ${JSON.stringify(header.name)} truncated: ${consumed} of ${dataSize} bytes` });
    }
    if ((await reader.skip(padding(dataSize))) !== padding(dataSize)) throw new TarFormatError({ offset: reader.position, reason: 'truncated padding' });
  }
}
