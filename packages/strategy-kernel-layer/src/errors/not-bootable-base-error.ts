import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerNotBootableBaseError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The image lacks a top-level directory that the bootable transform needs
 * (`/usr`, `/boot`, `/sysroot`; composefs-rs `transform_for_boot`), so it has
 * no bootable digest and no kernel can be attached to it.
 */
export class NotBootableBaseError extends MetalayerError {
  private readonly [symbol] = true;
  /** The image, as `store:reference`. */
  readonly image: string;
  /** Missing directories, as absolute paths (`/sysroot`). */
  readonly missing: readonly string[];

  constructor({ image, missing, cause }: { image: string; missing: readonly string[]; cause?: unknown }) {
    super({
      name,
      message: `${image} cannot be made bootable: it has no ${missing.join(', ')} director${missing.length === 1 ? 'y' : 'ies'} (the bootable transform needs /usr, /boot and /sysroot)`,
      cause,
      hint: 'add the directories in the image build (e.g. RUN mkdir -p /boot /sysroot)',
    });
    this.image = image;
    this.missing = missing;
  }

  static override isInstance(error: unknown): error is NotBootableBaseError {
    return MetalayerError.hasMarker(error, marker);
  }
}
