import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ExternalToolError } from '@metalayer/core';
import { fsyncDirectory } from '@metalayer/core/node';

/** Key and certificate for Secure Boot signing (PEM files, as sbsign takes them). */
export interface SecureBootKey {
  /** Private key (PEM). */
  key: string;
  /** X.509 certificate (PEM). */
  cert: string;
}

/** Result of a finished external program. */
interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool without a shell; a missing program becomes an `ExternalToolError`. */
function runTool(tool: string, args: readonly string[], signal?: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (cause: NodeJS.ErrnoException) => {
      reject(
        new ExternalToolError({
          tool,
          message: cause.code === 'ENOENT' ? `${tool} is not installed` : `${tool} could not be started: ${cause.message}`,
          hint: cause.code === 'ENOENT' ? 'install Debian package sbsigntool' : undefined,
          cause,
        }),
      );
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Signs a PE (a UKI) with `sbsign` (Debian sbsigntool) into `output`,
 * atomically: sbsign writes a temp file next to `output`, which is renamed
 * into place only after `sbverify --cert` accepted it. `input` must be
 * unsigned (sbsign would add a second signature).
 */
export async function signPe(
  input: string,
  output: string,
  key: SecureBootKey,
  options: { signal?: AbortSignal; mode?: number } = {},
): Promise<void> {
  const temp = join(dirname(output), `.${basename(output)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const signed = await runTool('sbsign', ['--key', key.key, '--cert', key.cert, '--output', temp, input], options.signal);
    if (signed.code !== 0) throw new ExternalToolError({ tool: 'sbsign', exitCode: signed.code, stderr: signed.stderr || signed.stdout });
    await verifyPeSignature(temp, key.cert, options);
    const handle = await open(temp, 'r');
    try {
      await handle.chmod(options.mode ?? 0o644);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, output);
    await fsyncDirectory(dirname(output));
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Checks a PE's Authenticode signature against a certificate with
 * `sbverify --cert`; throws `ExternalToolError` (with sbverify's message)
 * when it does not verify.
 */
export async function verifyPeSignature(path: string, cert: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  const r = await runTool('sbverify', ['--cert', cert, path], options.signal);
  if (r.code !== 0) {
    throw new ExternalToolError({
      tool: 'sbverify',
      exitCode: r.code,
      stderr: r.stderr || r.stdout,
      message: `sbverify: ${path} does not verify against ${cert}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`,
    });
  }
}
