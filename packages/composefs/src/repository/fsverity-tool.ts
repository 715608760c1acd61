import { execFile } from 'node:child_process';
import { ExternalToolError } from '@metalayer/core';
import { FSVERITY_BLOCK_SIZE, type FsVerityAlgorithm } from '../fsverity/fsverity-algorithm';

/** The fsverity-utils command: Node has no ioctl, so enabling and measuring go through it. */
export const FSVERITY_TOOL = 'fsverity';
/** Longest we wait for one `fsverity` run (enabling reads the whole file once). */
const FSVERITY_TIMEOUT_MS = 10 * 60_000;

// Kernel answers that mean "this file or filesystem cannot have fs-verity"
// (EOPNOTSUPP, ENOTTY, EINVAL for an unsupported block size), or, when
// measuring, "fs-verity is not enabled" (ENODATA).
const UNSUPPORTED = /Operation not supported|Inappropriate ioctl|Invalid argument|not supported/i;
const NOT_ENABLED = /No data available|not enabled/i;

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runTool(args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(FSVERITY_TOOL, args, { timeout: FSVERITY_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new ExternalToolError({
            tool: FSVERITY_TOOL,
            message: `${FSVERITY_TOOL} is not installed`,
            hint: 'install fsverity-utils (Debian: apt-get install fsverity), or pass --enable-verity no',
            cause: error,
          }),
        );
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Enables fs-verity on `path` (4096-byte blocks, no salt, as composefs
 * requires). Returns `unsupported` when the filesystem refuses; any other
 * failure throws {@link ExternalToolError}. The file must not be open for writing.
 */
export async function enableFsVerity(path: string, algorithm: FsVerityAlgorithm): Promise<'enabled' | 'unsupported'> {
  const result = await runTool(['enable', `--hash-alg=${algorithm}`, `--block-size=${FSVERITY_BLOCK_SIZE}`, path]);
  if (result.code === 0) return 'enabled';
  if (UNSUPPORTED.test(result.stderr)) return 'unsupported';
  // Enabling twice fails with EEXIST: the file already has it.
  if (/File exists/i.test(result.stderr)) return 'enabled';
  throw new ExternalToolError({ tool: FSVERITY_TOOL, exitCode: result.code, stderr: result.stderr });
}

/** The kernel's fs-verity measurement of `path` (`sha512:<hex>` form split), or undefined when it has none. */
export async function measureFsVerity(path: string): Promise<{ algorithm: FsVerityAlgorithm; hex: string } | undefined> {
  const result = await runTool(['measure', path]);
  if (result.code !== 0) {
    if (NOT_ENABLED.test(result.stderr) || UNSUPPORTED.test(result.stderr)) return undefined;
    throw new ExternalToolError({ tool: FSVERITY_TOOL, exitCode: result.code, stderr: result.stderr });
  }
  const match = /^(sha256|sha512):([0-9a-f]+)\s/.exec(result.stdout);
  if (!match)
    throw new ExternalToolError({ tool: FSVERITY_TOOL, message: `unexpected output of fsverity measure: ${result.stdout.trim()}` });
  return { algorithm: match[1] as FsVerityAlgorithm, hex: match[2]! };
}
