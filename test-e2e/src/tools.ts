import { ExternalToolError } from '@metalayer/core';
import { run, which, type RunResult } from '@metalayer/test-utils';

/**
 * Runs a host tool found on PATH or in /usr/sbin, /sbin (mkfs.* live there and
 * are not on a normal user's PATH), without a shell; throws with its stderr when
 * it fails.
 */
export function runTool(
  tool: string,
  args: readonly string[],
  options: { input?: Uint8Array | string; env?: NodeJS.ProcessEnv; allowFailure?: boolean; timeoutMs?: number } = {},
): RunResult {
  const path = which(tool);
  if (!path) throw new ExternalToolError({ tool, message: `${tool} not found (see scripts/install-system-deps.sh)` });
  return run(path, args, options);
}
