import type { ByteSource } from './byte-source';

/** One file of a boot payload. */
export interface PayloadFile {
  /** File name without directories (`vmlinuz`, `initrd`, `os-6.12.efi`); used for messages and when installing. */
  readonly name: string;
  readonly data: ByteSource;
}

/** A Unified Kernel Image: kernel, initrd and command line in one signed-or-signable PE file. */
export interface UkiPayload {
  readonly kind: 'uki';
  readonly uki: PayloadFile;
  /** `uname -r` of the kernel inside, when known (`.uname`, else the bzImage header). */
  readonly kernelVersion?: string;
}

/** A Boot Loader Specification type #1 set: kernel, initrds and the entry's command line. */
export interface BlsPayload {
  readonly kind: 'bls';
  readonly kernel: PayloadFile;
  /** In boot order. */
  readonly initrds: readonly PayloadFile[];
  /** The complete kernel command line (`options`). */
  readonly options: string;
  readonly kernelVersion?: string;
  /** Entry title (default: the image's os-release `PRETTY_NAME`). */
  readonly title?: string;
  /** os-release text of the image the kernel boots (title, sort-key). */
  readonly osRelease?: string;
}

/** What every strategy carries: a UKI, or a kernel + initrds + command line. */
export type BootPayload = UkiPayload | BlsPayload;

/** The payload kinds, as capability flags list them. */
export type PayloadKind = BootPayload['kind'];
