// Shell-style KEY=VALUE files: os-release(5), /etc/kernel/install.conf,
// /etc/machine-info. Values may mix unquoted text (backslash escapes the next
// character), '…' (literal) and "…" (backslash escapes only $ ` " \ and
// newline), concatenated; `#` starts a comment line. Lines that are not
// assignments are ignored, as systemd's parser does.

/** Longest env file accepted by {@link parseEnvFile} (os-release files are a few hundred bytes). */
export const MAX_ENV_FILE_SIZE = 64 * 1024;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOUBLE_QUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\', '\n']);

/** Parses an env file; later assignments of a key win. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    // Skip blank space and comment lines.
    while (i < text.length && /[ \t\r\n]/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] === '#' || text[i] === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const eq = text.indexOf('=', i);
    const nl = text.indexOf('\n', i);
    if (eq < 0 || (nl >= 0 && nl < eq)) {
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    const key = text.slice(i, eq).trim();
    const { value, next } = readValue(text, eq + 1);
    i = next;
    if (KEY.test(key)) out.set(key, value);
  }
  return out;
}

function readValue(text: string, start: number): { value: string; next: number } {
  let i = start;
  let value = '';
  while (i < text.length && text[i] !== '\n') {
    const ch = text[i]!;
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return { value: value + text.slice(i + 1), next: text.length };
      value += text.slice(i + 1, close);
      i = close + 1;
    } else if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length && DOUBLE_QUOTE_ESCAPABLE.has(text[i + 1]!)) {
          if (text[i + 1] !== '\n') value += text[i + 1];
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
    } else if (ch === '\\' && i + 1 < text.length) {
      if (text[i + 1] !== '\n') value += text[i + 1];
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
  return { value: value.replace(/[ \t\r]+$/, '').replace(/^[ \t]+/, ''), next: i + 1 };
}

/** An os-release file as a record of its fields. */
export type OsRelease = Readonly<Record<string, string>>;

/** Parses os-release(5) text. */
export function parseOsRelease(text: string): OsRelease {
  return Object.fromEntries(parseEnvFile(text));
}

/**
 * The menu title systemd tools derive from os-release: `PRETTY_NAME`, else
 * `NAME`, else `ID`, each non-empty; undefined if none.
 */
export function osReleaseName(os: OsRelease): string | undefined {
  return [os.PRETTY_NAME, os.NAME, os.ID].find((v) => v !== undefined && v.length > 0);
}

/**
 * composefs-rs' boot label: name ({@link osReleaseName}) plus `VERSION_ID`
 * or `VERSION` (composefs-rs-semantics.md §8.5).
 */
export function osReleaseLabel(os: OsRelease): string | undefined {
  const name = osReleaseName(os);
  const version = [os.VERSION_ID, os.VERSION].find((v) => v !== undefined && v.length > 0);
  if (name === undefined) return undefined;
  return version === undefined ? name : `${name} ${version}`;
}
