import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerDumpfileParseError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Why a composefs-dump(5) line was rejected. */
export type DumpfileErrorCode =
  | 'syntax'
  | 'escape'
  | 'integer'
  | 'mode'
  | 'digest'
  | 'path'
  | 'missing-parent'
  | 'duplicate'
  | 'root'
  | 'content'
  | 'symlink'
  | 'payload'
  | 'xattr'
  | 'hard-link'
  | 'limit'
  | 'strict';

/**
 * A composefs dumpfile line is malformed. Carries the 1-based line number and,
 * when one field is at fault, its name (`PATH`, `MODE`, `DIGEST`, `XATTR`, ...).
 */
export class DumpfileParseError extends MetalayerError {
  private readonly [symbol] = true;
  readonly code: DumpfileErrorCode;
  /** 1-based line number; 0 when the error concerns the whole file (e.g. no root). */
  readonly line: number;
  readonly field: string | undefined;

  constructor({
    code,
    line,
    field,
    message,
    cause,
    hint,
  }: {
    code: DumpfileErrorCode;
    line: number;
    field?: string;
    message: string;
    cause?: unknown;
    hint?: string;
  }) {
    const where = line > 0 ? `dumpfile line ${line}` : 'dumpfile';
    super({ name, message: `${where}${field ? `, ${field}` : ''}: ${message}`, cause, hint });
    this.code = code;
    this.line = line;
    this.field = field;
  }

  static override isInstance(error: unknown): error is DumpfileParseError {
    return MetalayerError.hasMarker(error, marker);
  }
}
