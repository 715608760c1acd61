import type { ByteSource } from '../../bytes/byte-source';
import type { ComposefsDigest, ComposefsDigestArg } from '../../cmdline/composefs-arg';
import type { BootRootSource } from './find-boot-root';
import type { EntryTokenSource } from './entry-token';

/**
 * Bytes install-kernel reads: in memory, a random-access source, a file
 * path, or a one-shot stream (spooled to a temporary file first).
 */
export type InstallByteInput = Uint8Array | ByteSource | { readonly path: string } | AsyncIterable<Uint8Array>;

/** A UKI to install as a Type #2 entry (`$BOOT/EFI/Linux/<token>-<kver>.efi`). */
export interface UkiInstallPayload {
  readonly kind: 'uki';
  readonly uki: InstallByteInput;
  /** Kernel version for the file name; default: `.uname`, else the `.linux` bzImage header. */
  readonly kernelVersion?: string;
}

/** A kernel, initrds and command line to install as a Type #1 entry. */
export interface BlsInstallPayload {
  readonly kind: 'bls';
  readonly kernel: InstallByteInput;
  /** initrds in boot order; `name` is the file name under `$BOOT/<token>/<kver>/` (default `initrd`, `initrd-1`, …). */
  readonly initrds?: readonly { readonly name?: string; readonly data: InstallByteInput }[];
  /** The complete kernel command line (must name the image's composefs digest). */
  readonly options: string;
  /** Default: read from the bzImage header. */
  readonly kernelVersion?: string;
  /** Entry title; default: the os-release `PRETTY_NAME`, else `Linux <kver>`. */
  readonly title?: string;
  /** The image's os-release (title and sort-key); default: the one under `root`. */
  readonly osRelease?: string;
}

/** What {@link planInstall} installs. */
export type InstallPayload = UkiInstallPayload | BlsInstallPayload;

/** Options of {@link planInstall} and {@link installKernel}. */
export interface PlanInstallOptions {
  /** The composefs digest(s) the caller recomputed for the image; the payload's command line must name them. */
  readonly expectedDigest: ComposefsDigest | readonly ComposefsDigest[];
  /** Accept `composefs=?…` (fs-verity not enforced). Default false. */
  readonly allowInsecure?: boolean;
  /** `$BOOT`; default: found under `root` like kernel-install (/efi, /boot, /boot/efi). */
  readonly bootRoot?: string;
  /** The system whose /etc/kernel, machine-id and os-release are read (default `/`; an image tree for image builds). */
  readonly root?: string;
  /** `auto` (default) follows the payload: UKI → `uki`, kernel + initrd → `bls`. */
  readonly layout?: 'auto' | 'uki' | 'bls';
  /** `auto` | `machine-id` | `os-id` | `os-image-id` | `literal:STR` | STR (see {@link resolveEntryToken}). */
  readonly entryToken?: string;
  /** Boot-counting tries (`+N` in the name); default: /etc/kernel/tries, else none. */
  readonly tries?: number;
}

/** Why a file is written. */
export type InstallRole = 'uki' | 'kernel' | 'initrd' | 'entry' | 'srel';

/** One step of a plan; paths are relative to `$BOOT`. */
export type InstallChange =
  | { readonly action: 'mkdir'; readonly path: string }
  | {
      readonly action: 'write';
      readonly path: string;
      readonly role: InstallRole;
      readonly size: number;
      readonly sha256: string;
      readonly replaces: boolean;
    }
  | { readonly action: 'keep'; readonly path: string; readonly role: InstallRole; readonly size: number; readonly sha256: string }
  | { readonly action: 'remove'; readonly path: string; readonly reason: string };

/** Everything install-kernel would do, as plain data (what `inspect --json` prints). */
export interface InstallPlan {
  readonly layout: 'uki' | 'bls';
  /** Absolute `$BOOT`. */
  readonly bootRoot: string;
  readonly bootRootSource: BootRootSource;
  readonly root: string;
  readonly entryToken: string;
  readonly entryTokenSource: EntryTokenSource;
  readonly machineId: string | undefined;
  readonly kernelVersion: string;
  readonly tries: number | undefined;
  /** `<token>-<kver>`. */
  readonly entryId: string;
  /** The entry file relative to `$BOOT` (`EFI/Linux/….efi` or `loader/entries/….conf`); for an up-to-date install, the existing one. */
  readonly entryPath: string;
  /** Menu title (BLS `title`, or the UKI's `.osrel` PRETTY_NAME). */
  readonly title: string | undefined;
  /** The command lines the entry boots with (one per UKI profile). */
  readonly cmdlines: readonly { readonly profile: number | undefined; readonly cmdline: string | undefined }[];
  /** composefs arguments found on them (all checked against `expectedDigests`). */
  readonly composefs: readonly ComposefsDigestArg[];
  readonly expectedDigests: readonly string[];
  /** Ordered steps: mkdir, writes (data files, then the entry last), removals of stale variants. */
  readonly changes: readonly InstallChange[];
  /** True when `$BOOT` already holds exactly this entry: executing writes nothing. */
  readonly upToDate: boolean;
}

/** Options of {@link executeInstall}. */
export interface ExecuteInstallOptions {
  /**
   * Called after every check passed and before anything is written to
   * `$BOOT` (also when the plan is up to date): deploy the image into the
   * composefs repository here, so that no entry ever names a missing image.
   * Throwing aborts the install with `$BOOT` untouched.
   */
  readonly beforeEntry?: (plan: InstallPlan) => void | Promise<void>;
}

/** What {@link executeInstall} did. */
export interface InstallResult {
  readonly plan: InstallPlan;
  /** Paths (relative to `$BOOT`) created or replaced, in order. */
  readonly written: readonly string[];
  /** Stale entry variants removed. */
  readonly removed: readonly string[];
}
