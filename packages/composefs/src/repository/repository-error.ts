import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerRepositoryError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Why a composefs repository cannot be used as asked. */
export type RepositoryErrorReason =
  /** `meta.json` is not valid JSON or lacks a required field. */
  | 'invalid-metadata'
  /** `meta.json` has a base `version` newer than we understand. */
  | 'unsupported-version'
  /** `meta.json` lists incompatible features we do not know. */
  | 'incompatible-features'
  /** `meta.json` lists read-only-compatible features we do not know: we may not write. */
  | 'read-only'
  /** The repository uses another fs-verity algorithm than the one asked for. */
  | 'algorithm-mismatch'
  /** The repository's EROFS format is not the one asked for, or one we cannot write (V2). */
  | 'format-mismatch'
  /** `objects/` exists but `meta.json` does not: a pre-0.7 layout composefs-rs must upgrade first. */
  | 'legacy-layout'
  /** fs-verity was required but the filesystem (or the `fsverity` tool) refused it. */
  | 'verity-unsupported'
  /** An object on disk does not have the size its name promises. */
  | 'object-corrupt';

/**
 * A composefs repository (composefs-rs layout: `meta.json`, `objects/`,
 * `images/`) cannot be opened or written as asked, with the path at fault.
 */
export class RepositoryError extends MetalayerError {
  private readonly [symbol] = true;
  readonly reason: RepositoryErrorReason;
  /** The repository file or directory concerned. */
  readonly path: string;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor({
    reason,
    path,
    message,
    expected,
    actual,
    cause,
    hint,
  }: {
    reason: RepositoryErrorReason;
    path: string;
    message: string;
    expected?: string;
    actual?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: `${path}: ${message}`, cause, hint });
    this.reason = reason;
    this.path = path;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is RepositoryError {
    return MetalayerError.hasMarker(error, marker);
  }
}
