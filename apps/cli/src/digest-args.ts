import { DEFAULT_DIGEST_SPEC, InvalidArgumentError, type ComposefsDigestSpec } from '@metalayer/core';
import type { OptionSpecs } from './command';

/** `--hash` and `--erofs-version`: how the composefs digest is computed. */
export const digestOptions = {
  hash: {
    type: 'string',
    valueName: 'sha256|sha512',
    description: 'fs-verity hash of the composefs image and objects (default sha512, as composefs-rs and bootc).',
  },
  'erofs-version': {
    type: 'string',
    valueName: '0|1',
    description: 'composefs EROFS format version (default 1 = composefs-rs V1 = C mkcomposefs --min-version=1).',
  },
} as const satisfies OptionSpecs;

/** The digest spec from `--hash` / `--erofs-version`, defaulting to composefs-rs's. */
export function digestSpecFromArgs(values: { hash?: string; 'erofs-version'?: string }): ComposefsDigestSpec {
  const hash = values.hash ?? DEFAULT_DIGEST_SPEC.algorithm;
  if (hash !== 'sha256' && hash !== 'sha512') {
    throw new InvalidArgumentError({ argument: '--hash', value: hash, message: `--hash must be sha256 or sha512, got "${hash}"` });
  }
  const version = values['erofs-version'] ?? String(DEFAULT_DIGEST_SPEC.erofsVersion);
  if (version !== '0' && version !== '1') {
    throw new InvalidArgumentError({
      argument: '--erofs-version',
      value: version,
      message: `--erofs-version must be 0 or 1, got "${version}"`,
      hint: 'V2 (the legacy composefs-rs format) is not written by metalayer',
    });
  }
  return { algorithm: hash, erofsVersion: version === '0' ? 0 : 1 };
}
