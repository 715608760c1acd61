import { createReadStream } from 'node:fs';
import { LimitExceededError } from '@metalayer/core';
import { sortTree, sourceSize, type TreeEntry } from '../tree/fs-tree';

// SVR4 "new ASCII" cpio (newc), the format the kernel unpacks as initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte header
// of "070701" and 13 eight-digit hex fields, the NUL-terminated name padded to 4
// bytes, then the data padded to 4 bytes; the archive ends with "TRAILER!!!".
const NEWC_MAGIC = '070701';
const NEWC_HEADER_SIZE = 110;
const NEWC_ALIGN = 4;
const NEWC_TRAILER = 'TRAILER!!!';
/** Every numeric field is 8 hex digits: sizes above this do not fit. */
const NEWC_MAX_FIELD = 0xffff_ffff;
/** The kernel's initramfs unpacker rejects names longer than PATH_MAX. */
const NEWC_MAX_NAME = 4096;

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

const encoder = new TextEncoder();

function hex8(value: number, field: string, subject: string): string {
  if (!Number.isInteger(value) || value < 0 || value > NEWC_MAX_FIELD) {
    throw new LimitExceededError({ limit: 'NEWC_MAX_FIELD', maximum: NEWC_MAX_FIELD, actual: value, subject: `${subject} ${field}` });
  }
  return value.toString(16).padStart(8, '0');
}

function padding(length: number): Uint8Array {
  return new Uint8Array((NEWC_ALIGN - (length % NEWC_ALIGN)) % NEWC_ALIGN);
}

interface HeaderFields {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
}

/** Header + name + name padding for one member. `name` is relative (`.`, `bin/sh`). */
function header(name: string, f: HeaderFields): Uint8Array {
  const nameBytes = encoder.encode(`${name}\0`);
  if (nameBytes.length > NEWC_MAX_NAME) {
    throw new LimitExceededError({ limit: 'NEWC_MAX_NAME', maximum: NEWC_MAX_NAME, actual: nameBytes.length, subject: `cpio name ${name}` });
  }
  const fields = [f.ino, f.mode, f.uid, f.gid, f.nlink, f.mtime, f.size, 0, 0, 0, 0, nameBytes.length, 0];
  const names = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'];
  const text = NEWC_MAGIC + fields.map((v, i) => hex8(v, names[i]!, name)).join('');
  const head = encoder.encode(text);
  const out = new Uint8Array(NEWC_HEADER_SIZE + nameBytes.length + padding(NEWC_HEADER_SIZE + nameBytes.length).length);
  out.set(head, 0);
  out.set(nameBytes, NEWC_HEADER_SIZE);
  return out;
}

async function* fileData(entry: Extract<TreeEntry, { type: 'file' }>): AsyncGenerator<Uint8Array> {
  if ('bytes' in entry.source) {
    yield entry.source.bytes;
    return;
  }
  let seen = 0;
  for await (const chunk of createReadStream(entry.source.hostPath)) {
    seen += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (seen !== entry.source.size) {
    throw new Error(`${entry.source.hostPath} changed while archiving: expected ${entry.source.size} bytes, read ${seen}`);
  }
}

/**
 * Streams a newc cpio archive of `tree` (parents first, as the kernel needs the
 * directories before their contents). Whiteouts are rejected: an initramfs has no
 * lower layer. Hard links are not used, so every member gets its own inode number.
 */
export async function* newcArchive(tree: readonly TreeEntry[]): AsyncGenerator<Uint8Array> {
  let ino = 1;
  let offset = 0;
  const emit = (chunk: Uint8Array): Uint8Array => {
    offset += chunk.length;
    return chunk;
  };
  for (const entry of sortTree(tree)) {
    if (entry.type === 'whiteout') throw new Error(`whiteout ${entry.path} cannot go into a cpio archive`);
    const name = entry.path === '/' ? '.' : entry.path.slice(1);
    const common = { ino: ino++, uid: entry.uid, gid: entry.gid, mtime: entry.mtime };
    if (entry.type === 'dir') {
      yield emit(header(name, { ...common, mode: S_IFDIR | entry.mode, nlink: 2, size: 0 }));
    } else if (entry.type === 'symlink') {
      const target = encoder.encode(entry.target);
      yield emit(header(name, { ...common, mode: S_IFLNK | 0o777, nlink: 1, size: target.length }));
      yield emit(target);
      yield emit(padding(target.length));
    } else {
      const size = sourceSize(entry.source);
      yield emit(header(name, { ...common, mode: S_IFREG | entry.mode, nlink: 1, size }));
      for await (const chunk of fileData(entry)) yield emit(chunk);
      yield emit(padding(size));
    }
  }
  yield emit(header(NEWC_TRAILER, { ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0 }));
  // The kernel accepts any length; pad to 512 like GNU cpio so tools see a whole block.
  yield new Uint8Array((512 - (offset % 512)) % 512);
}
