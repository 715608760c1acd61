import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { sortTree, sourceSize, type TreeEntry } from '../tree/fs-tree';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** How one external (non-inline) regular file is stored: its object path and digest. */
export interface ExternalFile {
  /** `xx/rest` relative to the repository's `objects/` (the dumpfile PAYLOAD). */
  objectPath: string;
  /** Hex fs-verity digest (the dumpfile DIGEST). */
  digest: string;
}

/**
 * composefs-dump(5) escaping: backslash, and every byte outside 0x21..0x7e, as
 * escapes; a field that is exactly `-` as `\x2d` (a bare `-` means "absent").
 */
export function escapeDumpfileField(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x21 || b > 0x7e) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out === '-' ? '\\x2d' : out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * The composefs dumpfile of a merged tree: one line per entry, parents first,
 * files of `inlineLimit` bytes or less inline (CONTENT), larger ones external
 * (PAYLOAD = object path, DIGEST) as `external` says. Directories get their
 * computed nlink; no xattrs.
 */
export function treeToDumpfile(tree: readonly TreeEntry[], external: ReadonlyMap<string, ExternalFile>, inlineLimit: number): string {
  const sorted = sortTree(tree);
  const subdirs = new Map<string, number>();
  for (const e of sorted) {
    if (e.type === 'dir' && e.path !== '/') {
      const parent = posix.dirname(e.path);
      subdirs.set(parent, (subdirs.get(parent) ?? 0) + 1);
    }
  }
  const lines: string[] = [];
  for (const e of sorted) {
    if (e.type === 'whiteout') throw new Error(`merged tree still has whiteout ${e.path}`);
    const path = escapeDumpfileField(utf8(e.path));
    const tail = (size: number, mode: number, nlink: number, payload: string, content: string, digest: string): string =>
      `${path} ${size} ${mode.toString(8)} ${nlink} ${e.uid} ${e.gid} 0 ${e.mtime}.0 ${payload} ${content} ${digest}`;
    if (e.type === 'dir') {
      lines.push(tail(0, S_IFDIR | e.mode, 2 + (subdirs.get(e.path) ?? 0), '-', '-', '-'));
    } else if (e.type === 'symlink') {
      const target = utf8(e.target);
      lines.push(tail(target.length, S_IFLNK | 0o777, 1, escapeDumpfileField(target), '-', '-'));
    } else {
      const size = sourceSize(e.source);
      const ext = external.get(e.path);
      if (size > inlineLimit) {
        if (!ext) throw new Error(`${e.path} (${size} bytes) is external but has no object`);
        lines.push(tail(size, S_IFREG | e.mode, 1, escapeDumpfileField(utf8(ext.objectPath)), '-', ext.digest));
      } else if (size === 0) {
        lines.push(tail(0, S_IFREG | e.mode, 1, '-', '-', '-'));
      } else {
        const bytes = 'bytes' in e.source ? e.source.bytes : readFileSync(e.source.hostPath);
        lines.push(tail(size, S_IFREG | e.mode, 1, '-', escapeDumpfileField(bytes), '-'));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
