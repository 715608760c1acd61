import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerBlsEntryError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A Boot Loader Specification Type #1 entry that is malformed or names an unsafe path. */
export class BlsEntryError extends MetalayerError {
  private readonly [symbol] = true;
  /** The entry, e.g. `loader/entries/abc-6.12.conf` or `entry`. */
  readonly subject: string;
  /** 1-based line number, when the problem is on one line. */
  readonly line: number | undefined;
  /** The key at fault (`linux`, `initrd`, `machine-id`, ...), when there is one. */
  readonly key: string | undefined;

  constructor({ subject, line, key, message, cause }: { subject: string; line?: number; key?: string; message: string; cause?: unknown }) {
    const where = `${line === undefined ? '' : `:${line}`}${key === undefined ? '' : ` (${key})`}`;
    super({ name, message: `${subject}${where}: ${message}`, cause });
    this.subject = subject;
    this.line = line;
    this.key = key;
  }

  static override isInstance(error: unknown): error is BlsEntryError {
    return MetalayerError.hasMarker(error, marker);
  }
}
