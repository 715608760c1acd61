import { TarFormatError } from '../errors/index';
import { Buffer } from 'node:buffer';
import { bytesToByteString } from '@metalayer/core';

/**
 * The ustar header block (POSIX.1-2001 `pax` "ustar Interchange Format"):
 * field offsets and lengths in bytes. GNU tar uses the same layout with
 * magic `ustar  \0` and no prefix field.
 */
export const BLOCK_SIZE = 512;
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** Field name of the ustar header. */
export type HeaderField = keyof typeof FIELD;

/** `ustar\0` + version `00` (POSIX). */
export const USTAR_MAGIC = 'ustar\u000000';
/** `ustar ` + ` \0` (GNU and old GNU). */
export const GNU_MAGIC = 'ustar  \u0000';

/** Entry kinds metalayer exposes; GNU/PAX meta entries are folded into the following entry. */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char-device' | 'block-device' | 'directory' | 'fifo';

/** Typeflag character ↔ entry type (`'7'` contiguous files read as regular files). */
export const TYPEFLAGS: Record<string, TarEntryType> = {
  '0': 'file',
  '\u0000': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

/** The typeflag we write for each entry type. */
export const TYPEFLAG_OF: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

/** A header block's raw fields, before PAX/GNU overrides are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  format: 'ustar' | 'gnu' | 'v7';
}

const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_7 = 0x37;

/**
 * A NUL-terminated string field as a byte string. `latin1` is the header as a
 * Buffer: its decoder makes the string without the intermediate array that
 * `String.fromCharCode.apply` needs (tens of thousands of headers per layer).
 */
function text(block: Uint8Array, latin1: Buffer, f: HeaderField): string {
  const [start, length] = FIELD[f];
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return end === start ? '' : latin1.toString('latin1', start, end);
}

/**
 * A numeric field: octal ASCII (leading spaces, trailing NULs or spaces) or
 * GNU base-256 (high bit set). Read straight from the bytes.
 */
export function parseNumber(block: Uint8Array, f: HeaderField, offset: number): number {
  const [start, length] = FIELD[f];
  const end = start + length;
  const first = block[start] as number;
  if (first & 0x80) {
    if (first === 0xff) throw new TarFormatError({ offset, field: f, reason: 'negative base-256 number' });
    let value = first & 0x7f;
    for (let i = start + 1; i < end; i++) value = value * 256 + (block[i] as number);
    if (!Number.isSafeInteger(value)) throw new TarFormatError({ offset, field: f, reason: 'base-256 number too large' });
    return value;
  }
  let i = start;
  while (i < end && block[i] === SPACE) i++;
  let value = 0;
  for (; i < end && (block[i] as number) >= DIGIT_0 && (block[i] as number) <= DIGIT_7; i++)
    value = value * 8 + (block[i] as number) - DIGIT_0;
  for (; i < end; i++) {
    if (block[i] !== 0 && block[i] !== SPACE) {
      const digits = bytesToByteString(block.subarray(start, end))
        .replace(/[\u0000 ]+$/, '')
        .replace(/^[ ]+/, '');
      throw new TarFormatError({ offset, field: f, reason: `not an octal number: ${JSON.stringify(digits)}` });
    }
  }
  return value;
}

/** Whether the header's magic and version fields hold exactly `magic`. */
function hasMagic(block: Uint8Array, magic: string): boolean {
  for (let i = 0; i < magic.length; i++) if (block[FIELD.magic[0] + i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** Sum of the header bytes with the checksum field read as spaces, unsigned or (the historic variant) signed. */
function headerSum(block: Uint8Array, signed: boolean): number {
  const [start, length] = FIELD.chksum;
  let sum = length * SPACE;
  // Two plain loops around the checksum field: this runs for every entry of every layer.
  for (let i = 0; i < start; i++) sum += block[i] as number;
  for (let i = start + length; i < BLOCK_SIZE; i++) sum += block[i] as number;
  if (!signed) return sum;
  for (let i = 0; i < BLOCK_SIZE; i++) if ((i < start || i >= start + length) && (block[i] as number) > 127) sum -= 256;
  return sum;
}

/** Whether a block is all zeros (end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one header block at stream offset `offset`; the checksum must match. */
export function decodeHeader(block: Uint8Array, offset: number): RawHeader {
  const stored = parseNumber(block, 'chksum', offset);
  const unsigned = headerSum(block, false);
  if (stored !== unsigned && stored !== headerSum(block, true)) {
    throw new TarFormatError({
      offset,
      field: 'chksum',
      reason: `header checksum ${stored} does not match ${unsigned} (not a tar stream, or corrupt)`,
    });
  }
  // GNU's "ustar  \0" spans magic and version; POSIX is "ustar\0" + "00", but
  // some writers leave the version NUL or blank: the magic alone decides.
  const format = hasMagic(block, GNU_MAGIC) ? 'gnu' : hasMagic(block, USTAR_MAGIC.slice(0, FIELD.magic[1])) ? 'ustar' : 'v7';
  const latin1 = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  let name = text(block, latin1, 'name');
  if (format === 'ustar') {
    const prefix = text(block, latin1, 'prefix');
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: parseNumber(block, 'mode', offset),
    uid: parseNumber(block, 'uid', offset),
    gid: parseNumber(block, 'gid', offset),
    size: parseNumber(block, 'size', offset),
    mtime: parseNumber(block, 'mtime', offset),
    typeflag: String.fromCharCode(block[FIELD.typeflag[0]] as number),
    linkname: text(block, latin1, 'linkname'),
    uname: format === 'v7' ? '' : text(block, latin1, 'uname'),
    gname: format === 'v7' ? '' : text(block, latin1, 'gname'),
    devmajor: format === 'v7' ? 0 : parseNumber(block, 'devmajor', offset),
    devminor: format === 'v7' ? 0 : parseNumber(block, 'devminor', offset),
    format,
  };
}
