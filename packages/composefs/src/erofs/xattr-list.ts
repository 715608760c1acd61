import type { ByteString } from '../tree/byte-string';

/**
 * An inode's xattrs on the way into an image: names and values (as byte
 * strings) alternating in one flat array, so an inode costs one array
 * whatever its xattr count.
 */
export type XattrList = ByteString[];

/** Sets `name`, replacing an existing value (lcfs_node_set_xattr). */
export function setXattr(list: XattrList, name: ByteString, value: ByteString): void {
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) {
      list[i + 1] = value;
      return;
    }
  }
  list.push(name, value);
}

/** Up to this many pairs an insertion sort (no allocation) beats `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 16;

/** Sorts the pairs by name (byte order), in place. */
export function sortXattrs(list: XattrList): void {
  if (list.length > 2 * INSERTION_SORT_MAX) {
    const pairs: Array<[ByteString, ByteString]> = [];
    for (let i = 0; i < list.length; i += 2) pairs.push([list[i]!, list[i + 1]!]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    pairs.forEach(([name, value], i) => {
      list[2 * i] = name;
      list[2 * i + 1] = value;
    });
    return;
  }
  for (let i = 2; i < list.length; i += 2) {
    const name = list[i]!;
    const value = list[i + 1]!;
    let j = i - 2;
    for (; j >= 0 && list[j]! > name; j -= 2) {
      list[j + 2] = list[j]!;
      list[j + 3] = list[j + 1]!;
    }
    list[j + 2] = name;
    list[j + 3] = value;
  }
}
