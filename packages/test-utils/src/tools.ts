import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { accessSync, constants } from 'node:fs';

/** True when running under CI, where a missing tool is a failure, never a skip. */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

const found = new Map<string, string | undefined>();

/** Absolute path of `tool` on PATH (plus /usr/sbin and /sbin), or undefined. */
export function which(tool: string): string | undefined {
  if (found.has(tool)) return found.get(tool);
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  let hit: string | undefined;
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, tool), constants.X_OK);
      hit = join(dir, tool);
      break;
    } catch {
      // not here
    }
  }
  found.set(tool, hit);
  return hit;
}

/**
 * Whether every tool is installed. Use as `describe.skipIf(!haveTools('fsverity'))`.
 * Under CI a missing tool throws, so the test file fails instead of skipping.
 */
export function haveTools(...tools: string[]): boolean {
  const missing = tools.filter((t) => which(t) === undefined);
  if (missing.length === 0) return true;
  if (isCI) {
    throw new Error(`CI=true but required tool(s) missing: ${missing.join(', ')} (install them in .ci/run)`);
  }
  return false;
}

/** Whether `path` exists; under CI a missing file throws (like {@link haveTools}). */
export function haveFile(path: string, what = path): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    if (isCI) throw new Error(`CI=true but ${what} is missing: ${path}`);
    return false;
  }
}

/** Result of {@link run}. */
export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a program synchronously without a shell. Throws (with stderr) on a
 * non-zero exit unless `allowFailure` is set.
 */
export function run(
  cmd: string,
  args: readonly string[],
  options: { input?: Uint8Array | string; cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean; timeoutMs?: number } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    input: options.input,
    cwd: options.cwd,
    env: options.env ?? process.env,
    maxBuffer: 1 << 30,
    timeout: options.timeoutMs ?? 120_000,
  });
  if (r.error) throw r.error;
  const result = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
  if (result.code !== 0 && !options.allowFailure) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result;
}
