import type { ByteString } from '../tree/byte-string';
import { EROFS_XATTR_FILTER_BITS, EROFS_XATTR_FILTER_SEED, XATTR_ENTRY_SIZE } from './format';
import { OVERLAY_XATTR_REDIRECT } from './overlay-xattrs';
import { splitXattrName } from './xattr-layout';
import { xxh32 } from './xxh32';

/**
 * Names whose values all start with the same bytes, which the table leaves
 * out of its keys: a redirect is `/` + the object's path, and the path is a
 * string the tree already holds (no copy per external file).
 */
const VALUE_PREFIXES: ReadonlyMap<ByteString, ByteString> = new Map([[OVERLAY_XATTR_REDIRECT, '/']]);

/** What an image stores for one xattr name (computed once per distinct name). */
export interface XattrName {
  readonly name: ByteString;
  /** EROFS prefix index and the suffix stored after it. */
  readonly index: number;
  readonly suffix: ByteString;
  /** Name filter bit (`1 << (xxh32(suffix, seed + index) & 31)`). */
  readonly bit: number;
  /** Bytes every value of this name starts with, left out of {@link XattrEntry.value}. */
  readonly valuePrefix: ByteString;
  /** The name's distinct values. */
  readonly values: Map<ByteString, XattrEntry>;
}

/** One distinct (name, value) pair of an image. */
export interface XattrEntry {
  readonly name: XattrName;
  /** The value after the name's `valuePrefix`, as a byte string: it keys the table. */
  readonly value: ByteString;
  /** Number of inodes carrying the pair. */
  count: number;
  /** Byte offset in the shared table, or -1 when not shared. */
  offset: number;
}

/** Bytes of the whole value of an entry. */
export function valueLength(entry: XattrEntry): number {
  return entry.name.valuePrefix.length + entry.value.length;
}

/** Entry size in an xattr area: header + suffix + value, padded to 4. */
export function entrySize(entry: XattrEntry): number {
  return (XATTR_ENTRY_SIZE + entry.name.suffix.length + valueLength(entry) + 3) & ~3;
}

// Shared table order: name descending, then value length descending, then value bytes descending
// (values of one name share their prefix, so comparing the rest is enough).
function compareShared(a: XattrEntry, b: XattrEntry): number {
  if (a.name !== b.name) return a.name.name < b.name.name ? 1 : -1;
  if (a.value.length !== b.value.length) return b.value.length - a.value.length;
  return a.value < b.value ? 1 : a.value > b.value ? -1 : 0;
}

/**
 * Counts the (name, value) pairs of all inodes and lays out the shared xattr
 * table (composefs-image-format.md §5.3): a pair used by more than one inode
 * is shared. Values are byte strings, so a pair is one map lookup.
 */
export class XattrTable {
  private readonly names = new Map<ByteString, XattrName>();

  /**
   * The entry for a pair, counting one more use. For a name with a value
   * prefix ({@link VALUE_PREFIXES}), `value` is what follows the prefix.
   */
  use(name: ByteString, value: ByteString): XattrEntry {
    let info = this.names.get(name);
    if (info === undefined) {
      const { index, suffix } = splitXattrName(name);
      const bit = 1 << (xxh32(suffix, (EROFS_XATTR_FILTER_SEED + index) >>> 0) & (EROFS_XATTR_FILTER_BITS - 1));
      info = { name, index, suffix, bit, valuePrefix: VALUE_PREFIXES.get(name) ?? '', values: new Map() };
      this.names.set(name, info);
    }
    let entry = info.values.get(value);
    if (entry === undefined) {
      entry = { name: info, value, count: 0, offset: -1 };
      info.values.set(value, entry);
    }
    entry.count++;
    return entry;
  }

  /** Whether any inode carries an xattr called `name`. */
  hasName(name: ByteString): boolean {
    return this.names.has(name);
  }

  /** Assigns offsets to the shared entries and returns them in table order with the table size. */
  layout(): { shared: XattrEntry[]; size: number } {
    const shared: XattrEntry[] = [];
    for (const info of this.names.values()) for (const entry of info.values.values()) if (entry.count > 1) shared.push(entry);
    shared.sort(compareShared);
    let size = 0;
    for (const entry of shared) {
      entry.offset = size;
      size += entrySize(entry);
    }
    return { shared, size };
  }
}
