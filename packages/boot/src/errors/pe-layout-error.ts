import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerPeLayoutError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A valid PE cannot be changed the way asked: no room for another section
 * header, a section that must move is followed by stub code, a replaced
 * section does not fit its slot.
 */
export class PeLayoutError extends MetalayerError {
  private readonly [symbol] = true;
  /** The file being built or edited. */
  readonly subject: string;
  /** The section concerned, e.g. `.cmdline`, when there is one. */
  readonly section: string | undefined;

  constructor({
    subject,
    section,
    message,
    cause,
    hint,
  }: {
    subject: string;
    section?: string;
    message: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message: `${subject}${section === undefined ? '' : ` (${section})`}: ${message}`,
      cause,
      hint,
    });
    this.subject = subject;
    this.section = section;
  }

  static override isInstance(error: unknown): error is PeLayoutError {
    return MetalayerError.hasMarker(error, marker);
  }
}
