import { InvalidArgumentError } from '@metalayer/core';
import { COMPOSEFS_VERSION_MAX } from './format';

/** composefs format versions this package writes. */
export type ComposefsVersion = 0 | 1;

/** The version bounds of a write, as mkcomposefs `--min-version` / `--max-version` give them. */
export interface VersionRange {
  min: ComposefsVersion;
  max: ComposefsVersion;
}

function check(value: number, argument: string): ComposefsVersion {
  if (!Number.isInteger(value) || value < 0 || value > COMPOSEFS_VERSION_MAX) {
    throw new InvalidArgumentError({
      argument,
      value,
      message: `${argument} must be 0 or 1 (got ${value})`,
      hint: 'composefs format 2 has no C writer; use 0 (default) or 1',
    });
  }
  return value as ComposefsVersion;
}

/**
 * Resolves the version bounds like C mkcomposefs: neither given → 0..1; if
 * only one is given the other defaults to 0; a maximum below the minimum is
 * raised to it; values outside 0..1 are rejected.
 */
export function resolveVersionRange(minVersion?: number, maxVersion?: number): VersionRange {
  if (minVersion === undefined && maxVersion === undefined) return { min: 0, max: 1 };
  const min = check(minVersion ?? 0, 'minVersion');
  const max = check(maxVersion ?? 0, 'maxVersion');
  return { min, max: max < min ? min : max };
}
