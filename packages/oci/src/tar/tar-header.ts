import { TarFormatError } from '../errors/index';
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

function field(block: Uint8Array, f: HeaderField): Uint8Array {
  const [offset, length] = FIELD[f];
  return block.subarray(offset, offset + length);
}

/** A NUL-terminated string field as a byte string. */
function text(block: Uint8Array, f: HeaderField): string {
  const bytes = field(block, f);
  const end = bytes.indexOf(0);
  return bytesToByteString(end === -1 ? bytes : bytes.subarray(0, end));
}

/** A numeric field: octal ASCII (space/NUL padded) or GNU base-256 (high bit set). */
export function parseNumber(block: Uint8Array, f: HeaderField, offset: number): number {
  const bytes = field(block, f);
  if ((bytes[0] as number) & 0x80) {
    if (bytes[0] === 0xff) throw new TarFormatError({ offset, field: f, reason: 'negative base-256 number' });
    let value = (bytes[0] as number) & 0x7f;
    for (let i = 1; i < bytes.length; i++) value = value * 256 + (bytes[i] as number);
    if (!Number.isSafeInteger(value)) throw new TarFormatError({ offset, field: f, reason: 'base-256 number too large' });
    return value;
  }
  const digits = bytesToByteString(bytes).replace(/[\u0000 ]+$/, '').replace(/^[ ]+/, '');
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarFormatError({ offset, field: f, reason: `not an octal number: ${JSON.stringify(digits)}` });
  return parseInt(digits, 8);
}

/** Sum of the header bytes with the checksum field read as spaces (unsigned, and the historic signed variant). */
function checksums(block: Uint8Array): [number, number] {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const b = i >= FIELD.chksum[0] && i < FIELD.chksum[0] + FIELD.chksum[1] ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return [unsigned, signed];
}

/** Whether a block is all zeros (end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one header block at stream offset `offset`; the checksum must match. */
export function decodeHeader(block: Uint8Array, offset: number): RawHeader {
  const stored = parseNumber(block, 'chksum', offset);
  const [unsigned, signed] = checksums(block);
  if (stored !== unsigned && stored !== signed) {
    throw new TarFormatError({ offset, field: 'chksum', reason: `header checksum ${stored} does not match ${unsigned} (not a tar stream, or corrupt)` });
  }
  const magic = bytesToByteString(block.subarray(FIELD.magic[0], FIELD.magic[0] + 8));
  // GNU's "ustar  \0" spans magic and version; POSIX is "ustar\0" + "00", but
  // some writers leave the version NUL or blank: the magic alone decides.
  const format = magic === GNU_MAGIC ? 'gnu' : magic.startsWith(USTAR_MAGIC.slice(0, FIELD.magic[1])) ? 'ustar' : 'v7';
  let name = text(block, 'name');
  if (format === 'ustar') {
    const prefix = text(block, 'prefix');
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
    linkname: text(block, 'linkname'),
    uname: format === 'v7' ? '' : text(block, 'uname'),
    gname: format === 'v7' ? '' : text(block, 'gname'),
    devmajor: format === 'v7' ? 0 : parseNumber(block, 'devmajor', offset),
    devminor: format === 'v7' ? 0 : parseNumber(block, 'devminor', offset),
    format,
  };
}
