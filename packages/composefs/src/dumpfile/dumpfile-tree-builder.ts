import { LimitExceededError } from '@metalayer/core';
import { DumpfileParseError, type DumpfileErrorCode } from '../errors/dumpfile-parse-error';
import { MAX_DUMPFILE_XATTR_FIELD, MAX_EXTERNAL_FILE_SIZE, MAX_INLINE_CONTENT, MAX_PATH_LENGTH, MAX_TREE_DEPTH } from '../limits';
import { byteStringToBytes, printableByteString, type ByteString } from '../tree/byte-string';
import { createStat } from '../tree/create';
import { kindOfMode, PERMISSION_MASK } from '../tree/mode';
import type { Directory, Inode, Leaf, RegularFile, Stat } from '../tree/types';
import { detachString } from '../util/byte-slab';
import { fromHex } from '../util/hex';
import { unescapeDumpfileField } from './escape';
import { parseMode, parseMtime, parseU32, parseU64 } from './fields';
import { XattrBudget } from './xattr-budget';

/** Options of the dumpfile parser. */
export interface DumpfileParseOptions {
  /**
   * The stricter rules of C `CFS_PARSE_STRICT=1`: a trailing newline, rdev 0
   * on non-devices, symlink SIZE equal to the target length, no CONTENT on symlinks.
   */
  strict?: boolean;
}

const FIXED_FIELDS = 11;
const FIELD_NAMES = ['PATH', 'SIZE', 'MODE', 'NLINK', 'UID', 'GID', 'RDEV', 'MTIME', 'PAYLOAD', 'CONTENT', 'DIGEST'];

interface PendingLink {
  parent: Directory;
  name: ByteString;
  target: ByteString | undefined;
  line: number;
}

/**
 * Builds a tree from composefs-dump(5) lines fed one at a time, with the
 * semantics of C mkcomposefs `--from-file` (see composefs-image-format.md §2):
 * parents before children, sibling order free, hard links (`@`) resolved at the end.
 */
export class DumpfileTreeBuilder {
  private root: Directory | undefined;
  private readonly depth = new Map<Directory, number>();
  /** Placeholder leaves standing for `@` lines until {@link finish} resolves them. */
  private readonly pending = new Map<Leaf, PendingLink>();
  private readonly strict: boolean;
  /** Xattr values seen so far: equal values (SELinux labels...) share one array. */
  private readonly xattrValues = new Map<string, Uint8Array>();

  constructor(options: DumpfileParseOptions = {}) {
    this.strict = options.strict === true;
  }

  /** Parses one line (a byte string without its newline); `line` is its 1-based number. */
  addLine(text: string, line: number): void {
    const fail = (code: DumpfileErrorCode, message: string, field?: string) => new DumpfileParseError({ code, line, field, message });
    const nul = text.indexOf('\0');
    if (nul >= 0) throw fail('syntax', `embedded NUL character at position ${nul}`);

    const fields: string[] = [];
    let pos = 0;
    for (let i = 0; i < FIXED_FIELDS; i++) {
      const space = text.indexOf(' ', pos);
      if (space < 0) {
        fields.push(text.slice(pos));
        pos = text.length;
      } else {
        fields.push(text.slice(pos, space));
        pos = space + 1;
      }
    }
    const field = (i: number) => fields[i]!;
    const unescape = (i: number) => unescapeDumpfileField(field(i), line, FIELD_NAMES[i]);
    const optional = (i: number) => (field(i) === '-' ? undefined : unescape(i));

    const path = unescape(0);
    if (path.length === 0) throw fail('path', 'invalid empty path', 'PATH');
    if (path.includes('\0')) throw fail('path', 'path contains a NUL byte', 'PATH');
    let modeText = field(2);
    const isHardLink = modeText.startsWith('@');
    if (isHardLink) modeText = modeText.slice(1);
    const mode = parseMode(modeText, line);
    const kind = kindOfMode(mode);
    if (kind === undefined) throw fail('mode', `invalid file type in mode ${mode.toString(8)}`, 'MODE');

    const { parent, name } = this.locate(path, kind === 'directory' && !isHardLink, line);
    if (isHardLink) {
      if (kind === 'directory') throw fail('hard-link', 'directories cannot be hard-linked', 'MODE');
      const target = optional(8);
      const placeholder: Leaf = { kind: 'fifo', stat: createStat(), nlink: 0 };
      this.pending.set(placeholder, { parent: parent!, name: detachString(name), target, line });
      parent!.entries.set(detachString(name), placeholder);
      return;
    }

    const size = parseU64(field(1), line, 'SIZE');
    const nlink = parseU32(field(3), line, 'NLINK');
    const uid = parseU32(field(4), line, 'UID');
    const gid = parseU32(field(5), line, 'GID');
    const rdev = parseU64(field(6), line, 'RDEV');
    const mtime = parseMtime(field(7), line);
    const payload = optional(8);
    const content = optional(9);
    const digestText = optional(10);
    if (content !== undefined && BigInt(content.length) !== size) {
      throw fail('content', `content is ${content.length} bytes but SIZE is ${size}`, 'CONTENT');
    }
    let digest: Uint8Array | undefined;
    if (digestText !== undefined) {
      digest = digestText.length === 64 || digestText.length === 128 ? fromHex(digestText) : undefined;
      if (digest === undefined) {
        throw fail('digest', 'expected 64 (SHA-256) or 128 (SHA-512) hex characters', 'DIGEST');
      }
    }
    if (payload !== undefined) {
      if (payload.includes('\0')) throw fail('payload', 'payload contains a NUL byte', 'PAYLOAD');
      if (payload.length > MAX_PATH_LENGTH) {
        throw this.limit(line, 'PAYLOAD', 'MAX_PATH_LENGTH', MAX_PATH_LENGTH, payload.length);
      }
    }
    const isDevice = kind === 'chardev' || kind === 'blockdev';
    if (this.strict && !isDevice && rdev !== 0n) throw fail('strict', 'non-zero RDEV on a non-device', 'RDEV');

    const stat: Stat = createStat({ mode: mode & PERMISSION_MASK, uid, gid, mtimeSec: mtime.sec, mtimeNsec: mtime.nsec });
    let inode: Inode;
    if (kind === 'symlink') {
      if (payload === undefined || payload.length === 0) throw fail('symlink', 'symlink without a target', 'PAYLOAD');
      if (this.strict && size !== BigInt(payload.length)) {
        throw fail('strict', `symlink SIZE ${size} differs from the target length ${payload.length}`, 'SIZE');
      }
      if (this.strict && content !== undefined && content.length > 0) {
        throw fail('strict', 'symlink with CONTENT', 'CONTENT');
      }
      inode = { kind, stat, nlink, target: detachString(payload) };
    } else {
      if (content !== undefined && content.length > MAX_INLINE_CONTENT) {
        throw this.limit(line, 'CONTENT', 'MAX_INLINE_CONTENT', MAX_INLINE_CONTENT, content.length);
      }
      if (kind === 'directory') {
        inode = { kind, stat, entries: new Map() };
        this.depth.set(inode, (parent ? this.depth.get(parent)! : 0) + 1);
      } else if (kind === 'regular') {
        if (size > BigInt(MAX_EXTERNAL_FILE_SIZE)) {
          throw this.limit(line, 'SIZE', 'MAX_EXTERNAL_FILE_SIZE', MAX_EXTERNAL_FILE_SIZE, size);
        }
        const file: RegularFile = { kind, stat, nlink, size: Number(size) };
        if (content !== undefined && content.length > 0) file.content = byteStringToBytes(content);
        if (payload !== undefined) file.payload = detachString(payload);
        if (digest !== undefined) file.digest = digest;
        inode = file;
      } else if (isDevice) {
        // composefs stores st_rdev as u32: the glibc dev_t is truncated, as C does.
        inode = { kind, stat, nlink, rdev: Number(BigInt.asUintN(32, rdev)) };
      } else {
        inode = { kind, stat, nlink };
      }
    }
    this.parseXattrs(text.slice(pos), stat, line);
    if (parent === undefined) this.root = inode as Directory;
    else parent.entries.set(detachString(name), inode);
  }

  /** Resolves hard links and returns the root. */
  finish(): Directory {
    if (this.root === undefined) {
      throw new DumpfileParseError({ code: 'root', line: 0, message: 'no entries (the first line must be /)' });
    }
    for (const [placeholder, link] of this.pending) {
      const target = this.resolve(placeholder, link);
      link.parent.entries.set(link.name, target);
      (link.parent.hardLinks ??= new Set()).add(link.name);
    }
    this.pending.clear();
    return this.root;
  }

  private resolve(placeholder: Leaf, link: PendingLink): Leaf {
    const fail = (message: string) => new DumpfileParseError({ code: 'hard-link', line: link.line, field: 'PAYLOAD', message });
    const seen = new Set<Leaf>([placeholder]);
    let current = link;
    for (;;) {
      if (current.target === undefined) throw fail('hard link without a target path');
      const found = this.lookup(current.target);
      if (found === undefined) throw fail(`no target at ${printableByteString(current.target)}`);
      if (found.kind === 'directory') throw fail(`target ${printableByteString(current.target)} is a directory`);
      const next = this.pending.get(found);
      if (next === undefined) return found;
      if (seen.has(found)) {
        throw fail(
          found === placeholder && current === link
            ? 'self-referential hard link'
            : `hard-link cycle through ${printableByteString(current.target)}`,
        );
      }
      seen.add(found);
      current = next;
    }
  }

  private lookup(path: ByteString): Inode | undefined {
    let node: Inode | undefined = this.root;
    for (const name of path.split('/')) {
      if (name === '') continue;
      if (node === undefined || node.kind !== 'directory') return undefined;
      node = node.entries.get(name);
    }
    return node;
  }

  /** Finds the parent of `path` (C `lookup_parent_path`); undefined parent = the root line. */
  private locate(path: ByteString, isDirectory: boolean, line: number): { parent: Directory | undefined; name: ByteString } {
    const fail = (code: DumpfileErrorCode, message: string) => new DumpfileParseError({ code, line, field: 'PATH', message });
    const shown = printableByteString(path);
    if (path === '/') {
      if (!isDirectory) throw fail('root', 'the root must be a directory');
      if (this.root !== undefined) throw fail('root', 'more than one root line');
      return { parent: undefined, name: '' };
    }
    if (this.root === undefined) throw fail('root', `${shown} before the root line /`);
    // Runs of slashes separate components, as in C; a trailing slash leaves an empty name.
    const names = path.replace(/^\/+/, '').split(/\/+/);
    const name = names.pop()!;
    let parent: Inode = this.root;
    for (const component of names) {
      const next: Inode | undefined = parent.kind === 'directory' ? parent.entries.get(component) : undefined;
      if (next === undefined) throw fail('missing-parent', `parent directory missing for ${shown}`);
      parent = next;
    }
    if (parent.kind !== 'directory') {
      throw fail('missing-parent', `parent of ${shown} is not a directory`);
    }
    if (name === '.' || name === '..') throw fail('path', `invalid . or .. in ${shown}`);
    if (name === '') throw fail('path', `empty file name in ${shown}`);
    if (name.length > 255) throw this.limit(line, 'PATH', 'MAX_NAME_LENGTH', 255, name.length);
    if (parent.entries.has(name)) throw fail('duplicate', `${shown} already exists`);
    if (isDirectory && this.depth.get(parent)! >= MAX_TREE_DEPTH) {
      throw this.limit(line, 'PATH', 'MAX_TREE_DEPTH', MAX_TREE_DEPTH, this.depth.get(parent)! + 1);
    }
    return { parent, name };
  }

  private parseXattrs(rest: string, stat: Stat, line: number): void {
    if (rest.length > MAX_DUMPFILE_XATTR_FIELD) {
      throw this.limit(line, 'XATTR', 'MAX_DUMPFILE_XATTR_FIELD', MAX_DUMPFILE_XATTR_FIELD, rest.length);
    }
    if (rest.length === 0) return;
    const budget = new XattrBudget(line);
    for (const item of rest.split(' ')) {
      const eq = item.indexOf('=');
      if (eq < 0) {
        throw new DumpfileParseError({ code: 'xattr', line, field: 'XATTR', message: `missing = in '${item.slice(0, 40)}'` });
      }
      const key = unescapeDumpfileField(item.slice(0, eq), line, 'XATTR');
      const value = unescapeDumpfileField(item.slice(eq + 1), line, 'XATTR');
      budget.set(key, value.length);
      let bytes = this.xattrValues.get(value);
      if (bytes === undefined) {
        bytes = byteStringToBytes(value);
        this.xattrValues.set(detachString(value), bytes);
      }
      stat.xattrs.set(detachString(key), bytes);
    }
  }

  private limit(line: number, field: string, limit: string, maximum: number, actual: number | bigint) {
    const cause = new LimitExceededError({ limit, maximum, actual, subject: `dumpfile line ${line}, ${field}` });
    return new DumpfileParseError({ code: 'limit', line, field, message: cause.message, cause });
  }
}
