/**
 * Random-access bytes: a UKI, a kernel or an initrd held in memory or read
 * from a file on demand, so that a 100 MiB payload never has to sit in memory.
 */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Returns exactly `length` bytes starting at `offset`; callers stay within `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}
