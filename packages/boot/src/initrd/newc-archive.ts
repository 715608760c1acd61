import { LimitExceededError } from '@metalayer/core';

// SVR4 "new ASCII" cpio (newc), the format the kernel unpacks as initramfs
// (Linux Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
// header of "070701" and 13 eight-digit hex fields, the NUL-terminated name
// padded to 4 bytes, then the data padded to 4 bytes; "TRAILER!!!" ends it.
const NEWC_MAGIC = '070701';
const NEWC_HEADER_SIZE = 110;
const NEWC_ALIGN = 4;
const NEWC_TRAILER = 'TRAILER!!!';
/** Every numeric field is 8 hex digits: values above this do not fit. */
export const NEWC_MAX_FIELD = 0xffff_ffff;
/** The kernel's initramfs unpacker rejects names longer than PATH_MAX. */
export const NEWC_MAX_NAME = 4096;

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Ownership and time of a member (defaults: root, mtime 0). */
interface NewcMeta {
  /** Path relative to the archive root, without a leading `/` (`.` is the root itself). */
  readonly path: string;
  /** Permission bits only. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly mtime?: number;
}

/** One member of a newc archive; write parents before their contents. */
export type NewcEntry =
  | (NewcMeta & { readonly type: 'directory' })
  | (NewcMeta & { readonly type: 'symlink'; readonly target: string })
  | (NewcMeta & {
      readonly type: 'file';
      /** The content, or a stream of exactly `size` bytes. */
      readonly data: Uint8Array | AsyncIterable<Uint8Array>;
      readonly size: number;
    });

const encoder = new TextEncoder();

function hex8(value: number, field: string, subject: string): string {
  if (!Number.isInteger(value) || value < 0 || value > NEWC_MAX_FIELD) {
    throw new LimitExceededError({ limit: 'NEWC_MAX_FIELD', maximum: NEWC_MAX_FIELD, actual: value, subject: `cpio ${subject} ${field}` });
  }
  return value.toString(16).padStart(8, '0');
}

const padding = (length: number) => new Uint8Array((NEWC_ALIGN - (length % NEWC_ALIGN)) % NEWC_ALIGN);

const FIELD_NAMES = [
  'ino',
  'mode',
  'uid',
  'gid',
  'nlink',
  'mtime',
  'filesize',
  'devmajor',
  'devminor',
  'rdevmajor',
  'rdevminor',
  'namesize',
  'check',
];

function header(
  name: string,
  ino: number,
  mode: number,
  meta: { uid?: number; gid?: number; mtime?: number },
  nlink: number,
  size: number,
): Uint8Array {
  const nameBytes = encoder.encode(`${name}\0`);
  if (nameBytes.length > NEWC_MAX_NAME) {
    throw new LimitExceededError({
      limit: 'NEWC_MAX_NAME',
      maximum: NEWC_MAX_NAME,
      actual: nameBytes.length,
      subject: `cpio name ${name}`,
    });
  }
  const fields = [ino, mode, meta.uid ?? 0, meta.gid ?? 0, nlink, meta.mtime ?? 0, size, 0, 0, 0, 0, nameBytes.length, 0];
  const head = encoder.encode(NEWC_MAGIC + fields.map((v, i) => hex8(v, FIELD_NAMES[i]!, name)).join(''));
  const out = new Uint8Array(NEWC_HEADER_SIZE + nameBytes.length + padding(NEWC_HEADER_SIZE + nameBytes.length).length);
  out.set(head, 0);
  out.set(nameBytes, NEWC_HEADER_SIZE);
  return out;
}

/**
 * Streams a newc cpio archive (what an initrd is) of `entries`, in the order
 * given. Every member gets its own inode number (no hard links); the archive
 * is padded to 512 bytes like GNU cpio. A file whose stream does not have
 * exactly `size` bytes throws.
 */
export async function* encodeNewcArchive(entries: Iterable<NewcEntry> | AsyncIterable<NewcEntry>): AsyncGenerator<Uint8Array> {
  let ino = 1;
  let offset = 0;
  const emit = (chunk: Uint8Array): Uint8Array => {
    offset += chunk.length;
    return chunk;
  };
  for await (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '') || '.';
    if (entry.type === 'directory') {
      yield emit(header(name, ino++, S_IFDIR | (entry.mode ?? 0o755), entry, 2, 0));
    } else if (entry.type === 'symlink') {
      const target = encoder.encode(entry.target);
      yield emit(header(name, ino++, S_IFLNK | 0o777, entry, 1, target.length));
      yield emit(target);
      yield emit(padding(target.length));
    } else {
      yield emit(header(name, ino++, S_IFREG | (entry.mode ?? 0o644), entry, 1, entry.size));
      let seen = 0;
      for await (const chunk of entry.data instanceof Uint8Array ? [entry.data] : entry.data) {
        seen += chunk.length;
        yield emit(chunk);
      }
      if (seen !== entry.size) throw new Error(`cpio member ${name}: expected ${entry.size} bytes, got ${seen}`);
      yield emit(padding(entry.size));
    }
  }
  yield emit(header(NEWC_TRAILER, 0, 0, {}, 1, 0));
  yield new Uint8Array((512 - (offset % 512)) % 512);
}
