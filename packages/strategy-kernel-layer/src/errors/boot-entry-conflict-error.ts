import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerBootEntryConflictError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The base image already ships boot entries in `/boot` (a UKI in
 * `/boot/EFI/Linux`, a Type #1 entry, a global UKI addon). A kernel layer on
 * top would leave two payloads in `/boot`, and `cfsctl oci prepare-boot` and
 * bootc silently take the first one they find: metalayer refuses instead.
 */
export class BootEntryConflictError extends MetalayerError {
  private readonly [symbol] = true;
  /** The image, as `store:reference`. */
  readonly image: string;
  /** The boot entries found, as absolute paths. */
  readonly entries: readonly string[];

  constructor({ image, entries, cause }: { image: string; entries: readonly string[]; cause?: unknown }) {
    super({
      name,
      message: `${image} already ships boot entries in /boot (${entries.join(', ')}); a kernel layer would make the payload ambiguous (cfsctl prepare-boot and bootc take the first entry they find)`,
      cause,
      hint: 'remove the kernel from /boot in the base image build, or use the hidden-whiteout or artifact strategy',
    });
    this.image = image;
    this.entries = entries;
  }

  static override isInstance(error: unknown): error is BootEntryConflictError {
    return MetalayerError.hasMarker(error, marker);
  }
}
