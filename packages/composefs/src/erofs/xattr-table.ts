import { Buffer } from 'node:buffer';
import type { ByteString } from '../tree/byte-string';
import { EROFS_XATTR_FILTER_BITS, EROFS_XATTR_FILTER_SEED } from './format';
import { splitXattrName, xattrEntrySize } from './xattr-layout';
import { xxh32 } from './xxh32';

/** One distinct (name, value) pair of an image. */
export interface XattrEntry {
  readonly name: ByteString;
  readonly value: Uint8Array;
  /** Entry size in an xattr area: header + suffix + value, padded to 4. */
  readonly size: number;
  /** Name filter bit of the name (`1 << (xxh32(suffix, seed + index) & 31)`). */
  readonly bit: number;
  /** Number of inodes carrying the pair. */
  count: number;
  /** Byte offset in the shared table, or -1 when not shared. */
  offset: number;
}

// Shared table order: name descending, then value length descending, then value bytes descending.
function compareShared(a: XattrEntry, b: XattrEntry): number {
  if (a.name !== b.name) return a.name < b.name ? 1 : -1;
  if (a.value.length !== b.value.length) return b.value.length - a.value.length;
  return Buffer.compare(b.value, a.value);
}

/**
 * Counts the (name, value) pairs of all inodes and lays out the shared xattr
 * table (composefs-image-format.md §5.3): a pair used by more than one inode
 * is shared. Equal value arrays are recognised by identity first, so a tree
 * whose labels share one array costs one conversion.
 */
export class XattrTable {
  private readonly byName = new Map<ByteString, Map<string, XattrEntry>>();
  private readonly valueKeys = new WeakMap<Uint8Array, string>();
  private readonly nameBits = new Map<ByteString, number>();

  /** The entry for a pair, counting one more use. */
  use(name: ByteString, value: Uint8Array): XattrEntry {
    let values = this.byName.get(name);
    if (values === undefined) {
      values = new Map();
      this.byName.set(name, values);
    }
    let key = this.valueKeys.get(value);
    if (key === undefined) {
      key = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
      this.valueKeys.set(value, key);
    }
    let entry = values.get(key);
    if (entry === undefined) {
      entry = { name, value, size: xattrEntrySize(name, value.length), bit: this.bitOf(name), count: 0, offset: -1 };
      values.set(key, entry);
    }
    entry.count++;
    return entry;
  }

  /** Assigns offsets to the shared entries and returns them in table order with the table size. */
  layout(): { shared: XattrEntry[]; size: number } {
    const shared: XattrEntry[] = [];
    for (const values of this.byName.values()) for (const entry of values.values()) if (entry.count > 1) shared.push(entry);
    shared.sort(compareShared);
    let size = 0;
    for (const entry of shared) {
      entry.offset = size;
      size += entry.size;
    }
    return { shared, size };
  }

  private bitOf(name: ByteString): number {
    let bit = this.nameBits.get(name);
    if (bit === undefined) {
      const { index, suffix } = splitXattrName(name);
      bit = 1 << (xxh32(suffix, (EROFS_XATTR_FILTER_SEED + index) >>> 0) & (EROFS_XATTR_FILTER_BITS - 1));
      this.nameBits.set(name, bit);
    }
    return bit;
  }
}
