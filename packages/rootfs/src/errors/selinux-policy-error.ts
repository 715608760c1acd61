import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerSelinuxPolicyError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The image ships an SELinux policy (`/etc/selinux/config` names a
 * `SELINUXTYPE`): composefs-rs relabels such images for `--bootable`, which
 * metalayer does not do yet, so the digest would differ from composefs-rs'.
 */
export class SelinuxPolicyError extends MetalayerError {
  private readonly [symbol] = true;
  /** The policy type named (`targeted`, …), or undefined when the config could not be read. */
  readonly policyType: string | undefined;
  readonly path: string;

  constructor({ policyType, path, message }: { policyType: string | undefined; path: string; message?: string }) {
    super({
      name,
      message:
        message ??
        `${path} selects SELinux policy "${policyType}": composefs-rs relabels bootable images from it, which metalayer does not do yet, so the bootable digest would not match composefs-rs/bootc`,
      hint: 'pass --no-selinux-relabel to compute the digest without labels (it will differ from composefs-rs for this image)',
    });
    this.policyType = policyType;
    this.path = path;
  }

  static override isInstance(error: unknown): error is SelinuxPolicyError {
    return MetalayerError.hasMarker(error, marker);
  }
}
