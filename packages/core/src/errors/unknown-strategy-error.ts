import { MetalayerError } from './metalayer-error';

const name = 'MetalayerUnknownStrategyError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A strategy name that is not registered, or an object that is not a valid strategy. */
export class UnknownStrategyError extends MetalayerError {
  private readonly [symbol] = true;
  readonly strategy: string;
  readonly known: readonly string[];

  constructor({ strategy, known, reason, cause }: { strategy: string; known: readonly string[]; reason?: string; cause?: unknown }) {
    super({
      name,
      message: reason ? `strategy ${strategy}: ${reason}` : `unknown strategy '${strategy}'`,
      cause,
      hint: `known strategies: ${known.join(', ') || '(none)'}`,
    });
    this.strategy = strategy;
    this.known = known;
  }

  static override isInstance(error: unknown): error is UnknownStrategyError {
    return MetalayerError.hasMarker(error, marker);
  }
}
