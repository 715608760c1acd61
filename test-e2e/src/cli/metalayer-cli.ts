import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cliBin } from '@metalayer/test-utils';

/** One finished `metalayer` run. */
export interface CliRun {
  args: readonly string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** stdout parsed as JSON when the command was given `--json` (and printed JSON). */
  json: unknown;
}

/** Options of a {@link MetalayerCli} call. */
export interface CliCallOptions {
  /** Exit status the caller expects (default 0); any other status throws with the output. */
  expectCode?: number;
  /** Killed (SIGKILL) after this long; default 180 s. */
  timeoutMs?: number;
}

/** Spawns the built `metalayer` binary with `args`; see {@link createMetalayerCli}. */
export type MetalayerCli = (args: readonly string[], options?: CliCallOptions) => Promise<CliRun>;

const DEFAULT_TIMEOUT_MS = 180_000;
const OUTPUT_TAIL = 4000;

/** The built entry point must exist: the e2e tests run what users run, not the TypeScript sources. */
export function requireBuiltCli(): string {
  const dist = join(dirname(cliBin), '..', 'dist', 'cli.js');
  if (!existsSync(cliBin) || !existsSync(dist)) {
    throw new Error(`the metalayer CLI is not built (${dist} missing): run \`pnpm build\` (\`pnpm e2e\` builds first)`);
  }
  return cliBin;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `metalayer a b 'c d'`, for logs and failure messages. */
export function formatCommand(args: readonly string[]): string {
  return ['metalayer', ...args.map(quote)].join(' ');
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL ? `…${text.slice(-OUTPUT_TAIL)}` : text;
}

/**
 * A function that runs `node apps/cli/bin/metalayer.js ARGS` asynchronously
 * (so concurrent boots keep reading their consoles), checks the exit status,
 * parses `--json` output, and appends every command line, status, duration and
 * stderr to `transcript` (a test artefact next to the serial logs).
 */
export function createMetalayerCli(transcript: string): MetalayerCli {
  const bin = requireBuiltCli();
  mkdirSync(dirname(transcript), { recursive: true });
  return (args, options = {}) =>
    new Promise<CliRun>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const ms = Math.round(performance.now() - started);
        const command = formatCommand(args);
        appendFileSync(transcript, `$ ${command}\n# exit ${code ?? signal} after ${ms} ms\n${stderr ? `${stderr.trimEnd()}\n` : ''}\n`);
        let json: unknown;
        if (args.includes('--json') && stdout.trim()) {
          try {
            json = JSON.parse(stdout);
          } catch (error) {
            return reject(new Error(`${command}: --json output is not JSON: ${(error as Error).message}\n${tail(stdout)}`));
          }
        }
        const expected = options.expectCode ?? 0;
        if (code !== expected) {
          return reject(
            new Error(
              `${command} exited ${code ?? signal} (expected ${expected}) after ${ms} ms\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
            ),
          );
        }
        resolve({ args, code, signal, stdout, stderr, ms, json });
      });
    });
}
