import { DumpfileParseError } from '../errors/dumpfile-parse-error';

const U64_MAX = (1n << 64n) - 1n;
const DECIMAL_RE = /^[0-9]+$/;
const OCTAL_RE = /^[0-7]+$/;
const SIGNED_DECIMAL_RE = /^-?[0-9]+$/;

function invalid(line: number, field: string, text: string): DumpfileParseError {
  return new DumpfileParseError({
    code: 'integer',
    line,
    field,
    message: `invalid integer '${text.slice(0, 40)}'`,
  });
}

/** An unsigned decimal field up to 2^64-1 (C strtoull), as a bigint. */
export function parseU64(text: string, line: number, field: string): bigint {
  if (!DECIMAL_RE.test(text) || text.length > 40) throw invalid(line, field, text);
  const value = BigInt(text);
  if (value > U64_MAX) throw invalid(line, field, text);
  return value;
}

/** An unsigned decimal field that must fit in 32 bits (UID, GID, NLINK). */
export function parseU32(text: string, line: number, field: string): number {
  if (!DECIMAL_RE.test(text) || text.length > 10) throw invalid(line, field, text);
  const value = Number(text);
  if (value > 0xffffffff) {
    throw new DumpfileParseError({
      code: 'integer',
      line,
      field,
      message: `${text} does not fit in 32 bits`,
    });
  }
  return value;
}

/** The octal MODE field (after any `@`), up to 32 bits. */
export function parseMode(text: string, line: number): number {
  if (!OCTAL_RE.test(text) || text.length > 11) throw invalid(line, 'MODE', text);
  const value = parseInt(text, 8);
  if (value > 0xffffffff) throw invalid(line, 'MODE', text);
  return value;
}

/**
 * MTIME `sec.nsec`. Seconds are read like C strtoull and reinterpreted as a
 * signed 64-bit value (`-1` and `18446744073709551615` both mean -1);
 * nanoseconds must fit in 32 bits (C stores a u32).
 */
export function parseMtime(text: string, line: number): { sec: bigint; nsec: number } {
  const dot = text.indexOf('.');
  if (dot < 0) throw invalid(line, 'MTIME', text);
  const secText = text.slice(0, dot);
  const nsecText = text.slice(dot + 1);
  if (!SIGNED_DECIMAL_RE.test(secText) || secText.length > 41) throw invalid(line, 'MTIME', text);
  const magnitude = BigInt(secText.startsWith('-') ? secText.slice(1) : secText);
  if (magnitude > U64_MAX) throw invalid(line, 'MTIME', text);
  const sec = BigInt.asIntN(64, secText.startsWith('-') ? -magnitude : magnitude);
  return { sec, nsec: parseU32(nsecText, line, 'MTIME') };
}
