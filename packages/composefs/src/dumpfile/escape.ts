import { DumpfileParseError } from '../errors/dumpfile-parse-error';
import type { ByteString } from '../tree/byte-string';

/** Options of {@link escapeDumpfileField}. */
export interface EscapeOptions {
  /** Escape `=` as `\x3d` (xattr names and values, where the first raw `=` splits them). */
  equal?: boolean;
  /** Write a field that is exactly `-` as `\x2d` (PAYLOAD and CONTENT, where `-` means absent). */
  loneDash?: boolean;
}

// Bytes written literally: C isgraph() in the C locale (0x21..0x7e) minus `\`
// (and minus `=` when escaping xattrs).
const NEEDS_ESCAPE = /[^\x21-\x5b\x5d-\x7e]/g;
const NEEDS_ESCAPE_EQUAL = /[^\x21-\x3c\x3e-\x5b\x5d-\x7e]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
}

/**
 * Escapes a byte string for a dumpfile field the way `composefs-info dump`
 * prints it: `\\ \n \r \t`, every other byte outside 0x21..0x7e as lowercase
 * `\xhh`. The result is plain ASCII.
 */
export function escapeDumpfileField(value: ByteString, options: EscapeOptions = {}): string {
  if (options.loneDash && value === '-') return '\\x2d';
  return value.replace(options.equal ? NEEDS_ESCAPE_EQUAL : NEEDS_ESCAPE, escapeChar);
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/**
 * Reverses dumpfile escaping: `\\ \n \r \t \xHH` (hex in either case); any
 * other escape, or a `\` at the end, throws a {@link DumpfileParseError}
 * (code `escape`) naming `line` and `fieldName`. Input and output are byte strings.
 */
export function unescapeDumpfileField(field: string, line = 0, fieldName?: string): ByteString {
  const fail = (message: string) => new DumpfileParseError({ code: 'escape', line, field: fieldName, message });
  let backslash = field.indexOf('\\');
  if (backslash < 0) return field;
  let out = '';
  let start = 0;
  while (backslash >= 0) {
    out += field.slice(start, backslash);
    const kind = field[backslash + 1];
    switch (kind) {
      case '\\':
        out += '\\';
        start = backslash + 2;
        break;
      case 'n':
        out += '\n';
        start = backslash + 2;
        break;
      case 'r':
        out += '\r';
        start = backslash + 2;
        break;
      case 't':
        out += '\t';
        start = backslash + 2;
        break;
      case 'x': {
        if (backslash + 4 > field.length) throw fail('no hex characters after \\x');
        const hi = hexValue(field.charCodeAt(backslash + 2));
        const lo = hexValue(field.charCodeAt(backslash + 3));
        if (hi < 0 || lo < 0) throw fail(`invalid hex characters after \\x at offset ${backslash}`);
        out += String.fromCharCode((hi << 4) | lo);
        start = backslash + 4;
        break;
      }
      case undefined:
        throw fail('no character after escape \\');
      default:
        throw fail(`unsupported escape \\${kind} at offset ${backslash}`);
    }
    backslash = field.indexOf('\\', start);
  }
  return out + field.slice(start);
}
