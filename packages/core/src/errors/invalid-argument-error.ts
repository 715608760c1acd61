import { MetalayerError } from './metalayer-error';

const name = 'MetalayerInvalidArgumentError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A caller passed a value the API or CLI cannot accept (bad flag, bad reference syntax, ...). */
export class InvalidArgumentError extends MetalayerError {
  private readonly [symbol] = true;
  /** The argument or option at fault, e.g. `--max-version`. */
  readonly argument: string;
  readonly value: unknown;

  constructor({
    argument,
    value,
    message,
    cause,
    hint,
  }: {
    argument: string;
    value?: unknown;
    message: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message, cause, hint });
    this.argument = argument;
    this.value = value;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return MetalayerError.hasMarker(error, marker);
  }
}
