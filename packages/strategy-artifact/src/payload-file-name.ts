/** Longest payload file name, in UTF-8 bytes (NAME_MAX of Linux and FAT long names). */
export const MAX_PAYLOAD_NAME_BYTES = 255;

/**
 * Why `name` cannot name a payload file, or undefined when it can. Names end
 * up as file names (oras writes blobs under their title, install-kernel and
 * other strategies place them on `$BOOT` or in layers), so anything that is
 * not a single plain path component is refused: empty, `.`, `..`, `/`,
 * backslashes, control characters, and whiteout names (`.wh.` prefix).
 */
export function payloadNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name === '.' || name === '..') return `is "${name}"`;
  if (name.includes('/')) return 'contains "/"';
  if (name.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'contains a control character';
  if (name.startsWith('.wh.')) return 'starts with ".wh." (an OCI whiteout name)';
  if (new TextEncoder().encode(name).length > MAX_PAYLOAD_NAME_BYTES) return `is longer than ${MAX_PAYLOAD_NAME_BYTES} bytes`;
  return undefined;
}
