import { TarFormatError } from '../errors/index';
import { bytesToByteString, byteStringToBytes } from '@metalayer/core';

/** PAX keyword prefix of extended attributes as GNU tar and star write them. */
export const SCHILY_XATTR = 'SCHILY.xattr.';
/** libarchive's variant: URL-encoded name, base64 value. */
export const LIBARCHIVE_XATTR = 'LIBARCHIVE.xattr.';

/** Time with nanoseconds, as PAX `mtime` carries it. */
export interface TarTime {
  /** Whole seconds since the epoch (floor, so negative times have a positive fraction). */
  seconds: number;
  /** 0 to 999 999 999. */
  nanoseconds: number;
}

/**
 * Parses PAX extended header records (POSIX.1-2001 `pax` "pax Extended
 * Header": `"%d %s=%s\n"`, length counting the whole record). Keys become
 * byte strings, values stay raw bytes: xattr values are binary.
 */
export function parsePaxRecords(data: Uint8Array, offset: number): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // NUL padding after the last record
    let space = pos;
    while (space < data.length && data[space] !== 0x20) space++;
    const lengthText = bytesToByteString(data.subarray(pos, space));
    const length = /^[0-9]+$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!(length > space - pos + 1) || pos + length > data.length || data[pos + length - 1] !== 0x0a) {
      throw new TarFormatError({ offset, field: 'pax', reason: `malformed PAX record at byte ${pos} of the extended header` });
    }
    const record = data.subarray(space + 1, pos + length - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError({ offset, field: 'pax', reason: `PAX record without keyword at byte ${pos}` });
    records.set(bytesToByteString(record.subarray(0, eq)), record.slice(eq + 1));
    pos += length;
  }
  return records;
}

/** Encodes one PAX record; the length prefix counts its own digits. */
export function encodePaxRecord(key: string, value: Uint8Array): Uint8Array {
  const keyBytes = byteStringToBytes(key);
  const rest = keyBytes.length + value.length + 3; // ' ', '=', '\n'
  let length = rest + String(rest).length;
  if (String(length).length !== String(rest).length) length = rest + String(length).length;
  const out = new Uint8Array(length);
  const prefix = new TextEncoder().encode(`${length} `);
  out.set(prefix, 0);
  out.set(keyBytes, prefix.length);
  out[prefix.length + keyBytes.length] = 0x3d;
  out.set(value, prefix.length + keyBytes.length + 1);
  out[length - 1] = 0x0a;
  return out;
}

/** Parses a PAX time value (`1700000000.123456789`, `-1.5`). */
export function parsePaxTime(value: string, offset: number, field: string): TarTime {
  const match = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(value);
  if (!match) throw new TarFormatError({ offset, field, reason: `not a PAX time: ${JSON.stringify(value)}` });
  const whole = Number(match[2]);
  const nanos = Number(((match[3] ?? '') + '000000000').slice(0, 9));
  if (!Number.isSafeInteger(whole)) throw new TarFormatError({ offset, field, reason: 'time out of range' });
  if (match[1] !== '-') return { seconds: whole, nanoseconds: nanos };
  return nanos === 0 ? { seconds: -whole, nanoseconds: 0 } : { seconds: -whole - 1, nanoseconds: 1e9 - nanos };
}

/** Formats a time for PAX (fraction only when non-zero, trailing zeros dropped). */
export function formatPaxTime(time: TarTime): string {
  let { seconds, nanoseconds } = time;
  let sign = '';
  if (seconds < 0) {
    sign = '-';
    if (nanoseconds > 0) {
      seconds = -seconds - 1;
      nanoseconds = 1e9 - nanoseconds;
    } else seconds = -seconds;
  }
  const fraction = nanoseconds ? `.${String(nanoseconds).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${sign}${seconds}${fraction}`;
}

/** Extended attributes carried in PAX records: SCHILY (raw) and LIBARCHIVE (URL-encoded name, base64 value). */
export function xattrsFromPax(records: ReadonlyMap<string, Uint8Array>): Map<string, Uint8Array> {
  const xattrs = new Map<string, Uint8Array>();
  for (const [key, value] of records) {
    if (key.startsWith(SCHILY_XATTR)) xattrs.set(key.slice(SCHILY_XATTR.length), value);
  }
  for (const [key, value] of records) {
    if (!key.startsWith(LIBARCHIVE_XATTR)) continue;
    const name = bytesToByteString(new Uint8Array(Buffer.from(decodeURIComponentBytes(key.slice(LIBARCHIVE_XATTR.length)), 'latin1')));
    if (!xattrs.has(name)) xattrs.set(name, new Uint8Array(Buffer.from(bytesToByteString(value), 'base64')));
  }
  return xattrs;
}

/** `%XX` decoding to a byte string (decodeURIComponent would insist on UTF-8). */
function decodeURIComponentBytes(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
