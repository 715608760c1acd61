/** What a boot must print to count as the expected outcome, and what ends it as a failure. */
export interface BootOutcome {
  success: RegExp;
  failure: RegExp;
  /** A boot expected to fail prints no serial tail when it fails as expected. */
  quiet: boolean;
}

/** Any init-level failure, panic, or — for negative boots — reaching the root. */
const UNEXPECTED = /MARK in-composefs-root\b|MARK FAIL\b|Kernel panic|Attempted to kill init/;

/**
 * The outcomes the e2e boots assert, as `bootQemu()` options
 * (`bootQemu({ ...BOOT_OUTCOMES.imageNotFound, name, boot, disks })`).
 */
export const BOOT_OUTCOMES = {
  /** The initramfs mounted the image and the image's own init read an object. */
  composefsRoot: { success: /MARK in-composefs-root\b/, failure: /MARK FAIL\b|Kernel panic|Attempted to kill init/, quiet: false },
  /** No digest on the command line names an image in the repository: nothing is mounted. */
  imageNotFound: { success: /MARK FAIL image not found\b/, failure: UNEXPECTED, quiet: true },
  /** `images/<digest>` exists but its fs-verity digest is another one. */
  imageDigestMismatch: { success: /MARK FAIL image digest mismatch\b/, failure: UNEXPECTED, quiet: true },
  /** The root is mounted but reading the external `/etc/marker-big` fails (altered object). */
  objectReadFails: { success: /MARK FAIL read \/etc\/marker-big\b/, failure: UNEXPECTED, quiet: true },
} as const satisfies Record<string, BootOutcome>;
