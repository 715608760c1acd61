import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerPlatformNotFoundError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** An image index has no manifest for the requested platform. */
export class PlatformNotFoundError extends MetalayerError {
  private readonly [symbol] = true;
  /** The platform asked for, `os/arch[/variant]`. */
  readonly platform: string;
  /** Platforms the index offers. */
  readonly available: readonly string[];

  constructor({
    platform,
    available,
    message,
    cause,
    hint,
  }: {
    platform: string;
    available: readonly string[];
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message: message ?? `no manifest for platform ${platform} in the image index (available: ${available.join(', ') || 'none'})`,
      cause,
      hint,
    });
    this.platform = platform;
    this.available = available;
  }

  static override isInstance(error: unknown): error is PlatformNotFoundError {
    return MetalayerError.hasMarker(error, marker);
  }
}
