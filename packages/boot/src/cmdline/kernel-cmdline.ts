// Kernel command line syntax as the kernel's lib/cmdline.c `next_arg()` and
// composefs-rs `cmdline.rs` read it: arguments are separated by whitespace,
// `"` toggles quoting (there are no escapes), and a quoted value or a fully
// quoted argument loses its outer quotes.

/** One argument of a command line, as written, with its position. */
export interface KernelArgToken {
  /** The argument exactly as written, quotes included. */
  readonly raw: string;
  /** Offset of its first character in the command line. */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
}

/** A parsed argument: `key` up to the first unquoted `=`, `value` after it (outer quotes removed). */
export interface KernelArg {
  readonly key: string;
  /** Undefined for a bare flag such as `quiet`; `''` for `key=`. */
  readonly value: string | undefined;
}

/** The whitespace the kernel's `isspace()` skips between arguments. */
const KERNEL_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/** True for characters that separate kernel arguments. */
export function isKernelSpace(ch: string): boolean {
  return KERNEL_SPACE.has(ch);
}

/**
 * Splits a command line into its arguments, keeping each one verbatim with
 * its offsets so that edits can leave everything else byte-identical.
 * A trailing NUL (as in a UKI `.cmdline` section) ends the line.
 */
export function tokenizeKernelCmdline(cmdline: string): KernelArgToken[] {
  const nul = cmdline.indexOf('\0');
  const line = nul < 0 ? cmdline : cmdline.slice(0, nul);
  const tokens: KernelArgToken[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isKernelSpace(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let quoted = false;
    while (i < line.length && (quoted || !isKernelSpace(line[i]!))) {
      if (line[i] === '"') quoted = !quoted;
      i++;
    }
    tokens.push({ raw: line.slice(start, i), start, end: i });
  }
  return tokens;
}

/** The arguments of a command line, verbatim (quotes kept). */
export function splitKernelCmdline(cmdline: string): string[] {
  return tokenizeKernelCmdline(cmdline).map((t) => t.raw);
}

/** Joins arguments with single spaces (each must already be a valid, quoted argument). */
export function joinKernelCmdline(args: readonly string[]): string {
  return args.filter((a) => a.length > 0).join(' ');
}

/**
 * Splits one argument into key and value exactly as the kernel's
 * `next_arg()` does: the first `=` separates (quotes do not protect it), a
 * value starting with `"` loses that quote and a trailing one, and a fully
 * quoted argument loses its outer quotes.
 */
export function parseKernelArg(raw: string): KernelArg {
  const quotedArg = raw.startsWith('"');
  const start = quotedArg ? 1 : 0;
  let end = raw.length;
  let lastRemoved = false;
  const eq = raw.indexOf('=', start);
  let valueStart = -1;
  if (eq >= 0) {
    valueStart = eq + 1;
    if (raw[valueStart] === '"') {
      valueStart++;
      if (raw[end - 1] === '"') {
        end--;
        lastRemoved = true;
      }
    }
  }
  if (quotedArg && !lastRemoved && end - 1 >= start && raw[end - 1] === '"') end--;
  if (eq < 0) return { key: raw.slice(start, end), value: undefined };
  return { key: raw.slice(start, eq), value: raw.slice(valueStart, Math.max(valueStart, end)) };
}

/**
 * Writes `key[=value]` as one argument, quoting the value when it contains
 * whitespace. Throws a TypeError for what the kernel cannot represent: a `"`
 * inside a value, whitespace or `=` or `"` in a key, an empty key.
 */
export function formatKernelArg(key: string, value?: string): string {
  if (key.length === 0 || /["=]/.test(key) || [...key].some(isKernelSpace)) {
    throw new TypeError(`kernel argument key ${JSON.stringify(key)} is empty or contains whitespace, '=' or '"'`);
  }
  if (value === undefined) return key;
  if (value.includes('"'))
    throw new TypeError(`kernel argument value ${JSON.stringify(value)} contains '"', which the kernel cannot quote`);
  return [...value].some(isKernelSpace) ? `${key}="${value}"` : `${key}=${value}`;
}

/** The first value of `key` on the command line (undefined if absent or a bare flag). */
export function getKernelArg(cmdline: string, key: string): string | undefined {
  for (const token of tokenizeKernelCmdline(cmdline)) {
    const arg = parseKernelArg(token.raw);
    if (arg.key === key) return arg.value;
  }
  return undefined;
}

/**
 * Replaces the arguments selected by `match` with `replacement` (written in
 * place of the first match; later matches are removed) or, when none match,
 * appends it. Everything else, spacing included, is kept byte for byte.
 */
export function replaceKernelArgs(
  cmdline: string,
  match: (arg: KernelArg, raw: string) => boolean,
  replacement: readonly string[],
): string {
  const nul = cmdline.indexOf('\0');
  const line = nul < 0 ? cmdline : cmdline.slice(0, nul);
  const hits = tokenizeKernelCmdline(line).filter((t) => match(parseKernelArg(t.raw), t.raw));
  const insert = joinKernelCmdline(replacement);
  if (hits.length === 0) {
    const trimmed = line.replace(/[ \t\n\v\f\r]+$/, '');
    if (insert.length === 0) return line;
    return trimmed.length === 0 ? insert : `${trimmed} ${insert}`;
  }
  let out = '';
  let cursor = 0;
  hits.forEach((hit, i) => {
    let from = hit.start;
    let to = hit.end;
    if (i > 0 || insert.length === 0) {
      // Removing an argument: also drop the whitespace in front of it (or after it, at the start).
      while (from > cursor && isKernelSpace(line[from - 1]!)) from--;
      if (from === 0) while (to < line.length && isKernelSpace(line[to]!)) to++;
    }
    out += line.slice(cursor, from) + (i === 0 ? insert : '');
    cursor = to;
  });
  return out + line.slice(cursor);
}
