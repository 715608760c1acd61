import { MetalayerError } from '@metalayer/core';

/**
 * Exit codes of the `metalayer` command. The CLI is the only place that maps
 * errors to exit codes; packages throw typed errors and know nothing of these.
 */
export const ExitCode = {
  ok: 0,
  /** A check failed: digest mismatch, verification refused, tampered input. */
  verificationFailed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** Input that cannot be used: malformed, corrupt, hostile, unsupported. */
  badInput: 3,
  /** The environment failed: missing file or tool, permission, network, registry. */
  environment: 4,
  /** A bug in metalayer: an error nobody anticipated. */
  internal: 70,
} as const;

/** Error names (the `name` of a MetalayerError) with a specific exit code; others map to `badInput`. */
const byName: Record<string, number> = {
  MetalayerInvalidArgumentError: ExitCode.usage,
  MetalayerUsageError: ExitCode.usage,
  MetalayerUnknownStrategyError: ExitCode.usage,
  MetalayerDigestMismatchError: ExitCode.verificationFailed,
  MetalayerVerificationError: ExitCode.verificationFailed,
  // "Is this image sealed?" answered no (or not unambiguously): a failed check, like grep's 1.
  MetalayerPayloadNotFoundError: ExitCode.verificationFailed,
  MetalayerAmbiguousPayloadError: ExitCode.verificationFailed,
  MetalayerExternalToolError: ExitCode.environment,
  MetalayerRegistryError: ExitCode.environment,
  MetalayerNetworkError: ExitCode.environment,
};

const environmentCodes = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'ENOSPC',
  'EROFS',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'EBUSY',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);

/** The exit code for an error thrown out of a command. */
export function exitCodeFor(error: unknown): number {
  if (MetalayerError.isInstance(error)) return byName[error.name] ?? ExitCode.badInput;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && environmentCodes.has(code)) return ExitCode.environment;
  return ExitCode.internal;
}
