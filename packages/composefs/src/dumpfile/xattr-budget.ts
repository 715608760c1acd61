import { LimitExceededError } from '@metalayer/core';
import { DumpfileParseError } from '../errors/dumpfile-parse-error';
import { MAX_XATTR_BUDGET, MAX_XATTR_NAME_LENGTH, MAX_XATTR_VALUE_SIZE } from '../limits';
import type { ByteString } from '../tree/byte-string';

/** Bytes libcomposefs charges per xattr: twice the 4-byte entry header minus 1, for worst-case alignment. */
const ENTRY_OVERHEAD = 2 * 4 - 1;
/** Charged once for the first xattr (the 12-byte ibody header). */
const HEADER_SIZE = 12;

/**
 * The per-inode xattr accounting of libcomposefs `lcfs_node_set_xattr` for
 * external input: Σ(7 + len(name) + len(value)) + 12 ≤ 32767, a replaced name
 * refunded first. Also checks name and value sizes.
 */
export class XattrBudget {
  private used = 0;
  private readonly sizes = new Map<ByteString, number>();

  constructor(private readonly line: number) {}

  /** Charges `name` with a value of `valueSize` bytes; throws a DumpfileParseError when out of bounds. */
  set(name: ByteString, valueSize: number): void {
    if (name.length === 0 || name.length > MAX_XATTR_NAME_LENGTH)
      this.fail('MAX_XATTR_NAME_LENGTH', MAX_XATTR_NAME_LENGTH, name.length, 'name');
    if (name.includes('\0')) {
      throw new DumpfileParseError({ code: 'xattr', line: this.line, field: 'XATTR', message: 'xattr name contains a NUL byte' });
    }
    if (valueSize > MAX_XATTR_VALUE_SIZE) this.fail('MAX_XATTR_VALUE_SIZE', MAX_XATTR_VALUE_SIZE, valueSize, 'value');
    const previous = this.sizes.get(name);
    if (previous !== undefined) {
      this.sizes.delete(name);
      this.used = this.sizes.size === 0 ? 0 : this.used - (ENTRY_OVERHEAD + name.length + previous);
    }
    const cost = ENTRY_OVERHEAD + name.length + valueSize + (this.sizes.size === 0 ? HEADER_SIZE : 0);
    if (this.used + cost > MAX_XATTR_BUDGET) this.fail('MAX_XATTR_BUDGET', MAX_XATTR_BUDGET, this.used + cost, 'total size');
    this.used += cost;
    this.sizes.set(name, valueSize);
  }

  private fail(limit: string, maximum: number, actual: number, what: string): never {
    const cause = new LimitExceededError({ limit, maximum, actual, subject: `dumpfile line ${this.line}, xattr ${what}` });
    throw new DumpfileParseError({ code: 'limit', line: this.line, field: 'XATTR', message: cause.message, cause });
  }
}
