import { bytesToByteString } from '@metalayer/core';
import { TarFormatError } from '../errors/index';
import { parsePaxTime, xattrsFromPax, type TarTime } from './pax';
import { TYPEFLAGS, type RawHeader, type TarEntryType } from './tar-header';

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
  xattrs: ReadonlyMap<string, Uint8Array>;
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

/** What the meta entries before a header (PAX `x`/`g`, GNU `L`/`K`) said about it. */
export interface PendingRecords {
  local: ReadonlyMap<string, Uint8Array> | undefined;
  global: ReadonlyMap<string, Uint8Array>;
  longName: string | undefined;
  longLink: string | undefined;
  /** Offset of the first meta entry, which is where the entry starts. */
  metaOffset: number | undefined;
}

/** No records, shared: most entries of most layers have none. */
export const NO_RECORDS: ReadonlyMap<string, Uint8Array> = new Map();

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
 * The header of an entry (not a meta entry) at stream offset `offset`: the
 * raw ustar fields overridden by the entry's PAX records and GNU long names.
 * Sparse and multi-volume entries are refused.
 */
export function entryHeader(raw: RawHeader, records: PendingRecords, offset: number): TarHeader {
  const type = TYPEFLAGS[raw.typeflag];
  if (type === undefined) {
    const what =
      raw.typeflag === 'S'
        ? 'GNU sparse file'
        : raw.typeflag === 'M'
          ? 'multi-volume continuation'
          : `typeflag ${JSON.stringify(raw.typeflag)}`;
    throw new TarFormatError({ offset, field: 'typeflag', reason: `unsupported entry: ${what}` });
  }
  const pax = records.local ?? NO_RECORDS;
  if (pax.size === 0) {
    // The common case: the ustar fields say everything.
    return {
      name: records.longName ?? raw.name,
      type,
      typeflag: raw.typeflag,
      mode: raw.mode & 0o7777,
      uid: raw.uid,
      gid: raw.gid,
      uname: raw.uname,
      gname: raw.gname,
      size: type === 'file' ? raw.size : 0,
      mtime: { seconds: raw.mtime, nanoseconds: 0 },
      linkname: records.longLink ?? raw.linkname,
      devmajor: raw.devmajor,
      devminor: raw.devminor,
      xattrs: NO_RECORDS,
      pax,
      globalPax: records.global,
      offset: records.metaOffset ?? offset,
    };
  }
  if ([...pax.keys()].some((k) => k.startsWith('GNU.sparse.')))
    throw new TarFormatError({ offset, field: 'pax', reason: 'unsupported entry: PAX sparse file' });
  const paxPath = pax.get('path');
  const paxLink = pax.get('linkpath');
  const paxMtime = pax.get('mtime');
  const header: TarHeader = {
    name: paxPath ? bytesToByteString(paxPath) : (records.longName ?? raw.name),
    type,
    typeflag: raw.typeflag,
    mode: raw.mode & 0o7777,
    uid: paxNumber(pax, 'uid', raw.uid, offset),
    gid: paxNumber(pax, 'gid', raw.gid, offset),
    uname: pax.has('uname') ? bytesToByteString(pax.get('uname')!) : raw.uname,
    gname: pax.has('gname') ? bytesToByteString(pax.get('gname')!) : raw.gname,
    size: paxNumber(pax, 'size', raw.size, offset),
    mtime: paxMtime ? parsePaxTime(bytesToByteString(paxMtime), offset, 'pax mtime') : { seconds: raw.mtime, nanoseconds: 0 },
    linkname: paxLink ? bytesToByteString(paxLink) : (records.longLink ?? raw.linkname),
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    xattrs: xattrsFromPax(pax),
    pax,
    globalPax: records.global,
    offset: records.metaOffset ?? offset,
  };
  // pax(1) "ustar Interchange Format": only regular files have data records; the size field of other types is ignored.
  if (type !== 'file') header.size = 0;
  if (header.xattrs.size === 0) header.xattrs = NO_RECORDS;
  return header;
}
