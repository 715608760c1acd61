import { UnsafePathError } from '../errors/index';

// Boot Loader Specification (UAPI.1) path rules: paths in entries are
// relative to the root of the partition holding the entry, normalised, with
// `/` as separator and an optional leading `/`; file names on $BOOT use
// [A-Za-z0-9+_.-] and are 1-255 characters long.

/** Characters allowed in file names written to $BOOT. */
export const BOOT_FILE_NAME = /^[A-Za-z0-9+_.-]{1,255}$/;
/** Longest path accepted in an entry. */
export const MAX_BLS_PATH_LENGTH = 4096;

/**
 * Checks that a file name (entry token, kernel version, initrd name, ...)
 * may be written to $BOOT: only [A-Za-z0-9+_.-], 1-255 characters, not `.`
 * or `..`, and not starting with `.` (hidden files; our temp files use that).
 */
export function checkBootFileName(name: string, role: string): string {
  if (!BOOT_FILE_NAME.test(name) || name.startsWith('.')) {
    throw new UnsafePathError({
      path: name,
      role,
      message: 'must be 1-255 characters from [A-Za-z0-9+_.-] and must not start with "."',
      hint: 'the Boot Loader Specification restricts names on $BOOT to this set (FAT, case-insensitive)',
    });
  }
  return name;
}

/**
 * Normalises and checks a path from a Type #1 entry: it must stay on the same
 * partition (no `..`, no `.`, no empty components, no backslashes or control
 * characters). Returns it with exactly one leading `/`. With `strictNames`
 * every component must also pass {@link checkBootFileName}.
 */
export function normalizeBlsPath(path: string, options: { role?: string; strictNames?: boolean } = {}): string {
  const role = options.role ?? 'entry path';
  const fail = (message: string): never => {
    throw new UnsafePathError({ path, role, message });
  };
  if (path.length === 0) fail('is empty');
  if (path.length > MAX_BLS_PATH_LENGTH) fail(`is longer than ${MAX_BLS_PATH_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(path)) fail('contains a control character or a backslash');
  const parts = (path.startsWith('/') ? path.slice(1) : path).split('/');
  for (const part of parts) {
    if (part === '') fail('has an empty component ("//" or a trailing "/")');
    if (part === '.' || part === '..') fail(`has a "${part}" component; entry paths must be normalised and stay on their partition`);
    if (options.strictNames) checkBootFileName(part, role);
  }
  return `/${parts.join('/')}`;
}
