import { MetalayerError } from './metalayer-error';

const name = 'MetalayerPayloadNotFoundError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** An image carries no boot payload of the strategy asked for (or of any strategy). */
export class PayloadNotFoundError extends MetalayerError {
  private readonly [symbol] = true;
  /** The image, as `store:reference`. */
  readonly image: string;
  /** The strategy that looked, or undefined when every registered strategy did. */
  readonly strategy: string | undefined;

  constructor({ image, strategy, reason, cause }: { image: string; strategy?: string; reason?: string; cause?: unknown }) {
    super({
      name,
      message: `${image}: no boot payload${strategy ? ` of strategy ${strategy}` : ''}${reason ? ` (${reason})` : ''}`,
      cause,
      hint: "attach one with 'metalayer attach --strategy NAME …', or check the image reference",
    });
    this.image = image;
    this.strategy = strategy;
  }

  static override isInstance(error: unknown): error is PayloadNotFoundError {
    return MetalayerError.hasMarker(error, marker);
  }
}
