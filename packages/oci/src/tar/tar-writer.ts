import { byteStringToBytes } from '@metalayer/core';
import { encodePaxRecord, formatPaxTime, SCHILY_XATTR, type TarTime } from './pax';
import { BLOCK_SIZE, FIELD, TYPEFLAG_OF, USTAR_MAGIC, type HeaderField, type TarEntryType } from './tar-header';

/** An entry to write; names and link targets are byte strings (`ByteString` of `@metalayer/core`). */
export interface TarWriteEntry {
  /** Path exactly as it should appear (directories conventionally end in `/`). */
  name: string;
  type: TarEntryType;
  /** Permission bits (default 0o644; 0o755 for directories, 0o777 for symlinks). */
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Seconds, or seconds with nanoseconds (written as PAX `mtime` when fractional). Default 0. */
  mtime?: number | TarTime;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes (byte-string names → raw values), written as `SCHILY.xattr.*` in the given order. */
  xattrs?: Map<string, Uint8Array> | ReadonlyArray<readonly [string, Uint8Array]>;
  /** Content of a regular file; a stream needs `size`. */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Content length; required with a streamed body, checked against it. */
  size?: number;
}

/** Largest value of an octal field of `length` bytes (digits + terminating NUL). */
const maxOctal = (length: number) => 8 ** (length - 1) - 1;
/** Name of every PAX extended header entry we write: fixed, so output is reproducible. */
const PAX_HEADER_NAME = '././@PaxHeader';
const ZERO_BLOCKS = new Uint8Array(BLOCK_SIZE * 2);

function put(block: Uint8Array, f: HeaderField, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, FIELD[f][1]), FIELD[f][0]);
}

/** Writes an octal field, or GNU base-256 when it does not fit (a PAX record then carries the value too). */
function putNumber(block: Uint8Array, f: HeaderField, value: number): void {
  const length = FIELD[f][1];
  if (value >= 0 && value <= maxOctal(length)) {
    put(block, f, byteStringToBytes(value.toString(8).padStart(length - 1, '0')));
    return;
  }
  let v = Math.max(0, value);
  for (let i = length - 1; i > 0; i--) {
    block[FIELD[f][0] + i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[FIELD[f][0]] = 0x80;
}

function encodeBlock(fields: {
  name: Uint8Array;
  prefix?: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: Uint8Array;
  uname: Uint8Array;
  gname: Uint8Array;
  devmajor: number;
  devminor: number;
}): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  put(block, 'name', fields.name);
  putNumber(block, 'mode', fields.mode);
  putNumber(block, 'uid', fields.uid);
  putNumber(block, 'gid', fields.gid);
  putNumber(block, 'size', fields.size);
  putNumber(block, 'mtime', fields.mtime);
  block[FIELD.typeflag[0]] = fields.typeflag.charCodeAt(0);
  put(block, 'linkname', fields.linkname);
  // magic "ustar\0" and version "00" are two fields (POSIX ustar): write both.
  put(block, 'magic', byteStringToBytes(USTAR_MAGIC.slice(0, FIELD.magic[1])));
  put(block, 'version', byteStringToBytes(USTAR_MAGIC.slice(FIELD.magic[1])));
  put(block, 'uname', fields.uname);
  put(block, 'gname', fields.gname);
  putNumber(block, 'devmajor', fields.devmajor);
  putNumber(block, 'devminor', fields.devminor);
  if (fields.prefix) put(block, 'prefix', fields.prefix);
  block.fill(0x20, FIELD.chksum[0], FIELD.chksum[0] + FIELD.chksum[1]);
  let sum = 0;
  for (const b of block) sum += b;
  put(block, 'chksum', byteStringToBytes(`${sum.toString(8).padStart(6, '0')}\u0000 `));
  return block;
}

/** Splits a path into ustar prefix/name at a `/`, or undefined when it cannot fit. */
function splitUstarName(name: Uint8Array): { prefix?: Uint8Array; name: Uint8Array } | undefined {
  if (name.length <= FIELD.name[1]) return { name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const prefix = name.subarray(0, i);
    const rest = name.subarray(i + 1);
    if (prefix.length <= FIELD.prefix[1] && rest.length <= FIELD.name[1] && rest.length > 0) return { prefix, name: rest };
    if (rest.length > FIELD.name[1]) return undefined;
  }
  return undefined;
}

const pad = (size: number) => new Uint8Array((BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE);

/** The header blocks (PAX extended header when needed, then ustar) of one entry. */
export function encodeEntryHeader(entry: TarWriteEntry, size: number): Uint8Array[] {
  const name = byteStringToBytes(entry.name);
  const linkname = byteStringToBytes(entry.linkname ?? '');
  const mtime: TarTime =
    typeof entry.mtime === 'number' || entry.mtime === undefined ? { seconds: entry.mtime ?? 0, nanoseconds: 0 } : entry.mtime;
  const uid = entry.uid ?? 0;
  const gid = entry.gid ?? 0;
  const records: Uint8Array[] = [];
  const enc = new TextEncoder();
  const split = splitUstarName(name);
  if (!split) records.push(encodePaxRecord('path', name));
  if (linkname.length > FIELD.linkname[1]) records.push(encodePaxRecord('linkpath', linkname));
  if (size > maxOctal(FIELD.size[1])) records.push(encodePaxRecord('size', enc.encode(String(size))));
  if (uid > maxOctal(FIELD.uid[1])) records.push(encodePaxRecord('uid', enc.encode(String(uid))));
  if (gid > maxOctal(FIELD.gid[1])) records.push(encodePaxRecord('gid', enc.encode(String(gid))));
  if (mtime.nanoseconds !== 0 || mtime.seconds < 0 || mtime.seconds > maxOctal(FIELD.mtime[1])) {
    records.push(encodePaxRecord('mtime', enc.encode(formatPaxTime(mtime))));
  }
  for (const [key, value] of entry.xattrs ?? []) records.push(encodePaxRecord(`${SCHILY_XATTR}${key}`, value));
  const blocks: Uint8Array[] = [];
  const common = {
    mode: entry.mode ?? (entry.type === 'directory' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644),
    uid,
    gid,
    mtime: Math.min(Math.max(mtime.seconds, 0), maxOctal(FIELD.mtime[1])),
    uname: byteStringToBytes(entry.uname ?? ''),
    gname: byteStringToBytes(entry.gname ?? ''),
    devmajor: entry.devmajor ?? 0,
    devminor: entry.devminor ?? 0,
  };
  if (records.length) {
    const data = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
    let offset = 0;
    for (const r of records) {
      data.set(r, offset);
      offset += r.length;
    }
    blocks.push(
      encodeBlock({
        ...common,
        name: byteStringToBytes(PAX_HEADER_NAME),
        mode: 0o644,
        size: data.length,
        typeflag: 'x',
        linkname: new Uint8Array(0),
        uname: new Uint8Array(0),
        gname: new Uint8Array(0),
        devmajor: 0,
        devminor: 0,
      }),
      data,
      pad(data.length),
    );
  }
  blocks.push(
    encodeBlock({
      ...common,
      ...(split ?? { name: name.subarray(0, FIELD.name[1]) }),
      size,
      typeflag: TYPEFLAG_OF[entry.type],
      linkname: linkname.subarray(0, FIELD.linkname[1]),
    }),
  );
  return blocks;
}

/**
 * Writes a tar stream (POSIX ustar + PAX extended headers) from entries, byte
 * for byte determined by the input: no atime/ctime, no user lookups, fixed PAX
 * header names, two zero blocks at the end and no record padding.
 */
export async function* writeTar(entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    const body = entry.type === 'file' ? entry.body : undefined;
    if (entry.type !== 'file' && entry.body !== undefined)
      throw new RangeError(`tar entry ${JSON.stringify(entry.name)}: only regular files have content`);
    const size = body instanceof Uint8Array ? body.length : body === undefined ? 0 : entry.size;
    if (size === undefined) throw new RangeError(`tar entry ${JSON.stringify(entry.name)}: a streamed body needs size`);
    if (entry.size !== undefined && entry.size !== size)
      throw new RangeError(`tar entry ${JSON.stringify(entry.name)}: size ${entry.size} but body has ${size} bytes`);
    yield* encodeEntryHeader(entry, size);
    let written = 0;
    if (body instanceof Uint8Array) {
      if (body.length) yield body;
      written = body.length;
    } else if (body) {
      for await (const chunk of body) {
        written += chunk.length;
        if (written > size) break;
        yield chunk;
      }
    }
    if (written !== size)
      throw new RangeError(
        `tar entry ${JSON.stringify(entry.name)}: body has ${written > size ? 'more' : 'fewer'} bytes than size ${size}`,
      );
    if (size % BLOCK_SIZE) yield pad(size);
  }
  yield ZERO_BLOCKS;
}
