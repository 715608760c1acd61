import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerPeFormatError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A PE/COFF file (UKI, systemd stub, EFI kernel) is malformed, truncated or
 * lies about its layout: a header field points outside the file, a magic is
 * wrong, sections overlap.
 */
export class PeFormatError extends MetalayerError {
  private readonly [symbol] = true;
  /** The file, e.g. `uki.efi` or `linuxx64.efi.stub`. */
  readonly subject: string;
  /** The header field at fault, e.g. `e_lfanew` or `section .cmdline PointerToRawData`. */
  readonly field: string;
  /** File offset of the field or of the data it points to, when known. */
  readonly offset: number | undefined;

  constructor({
    subject,
    field,
    offset,
    message,
    cause,
  }: {
    subject: string;
    field: string;
    offset?: number;
    message: string;
    cause?: unknown;
  }) {
    const where = offset === undefined ? '' : ` at offset 0x${offset.toString(16)}`;
    super({
      name,
      message: `${subject}: ${field}${where}: ${message}`,
      cause,
      hint: 'the file is not a valid PE/UKI image (truncated or corrupt?)',
    });
    this.subject = subject;
    this.field = field;
    this.offset = offset;
  }

  static override isInstance(error: unknown): error is PeFormatError {
    return MetalayerError.hasMarker(error, marker);
  }
}
