import { PassThrough } from 'node:stream';
import type { CliIo } from '../command';
import { main } from '../cli';

/** Options of {@link captureIo}. */
export interface CaptureOptions {
  stdin?: Uint8Array;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** In-memory process streams for `main(argv, io)`, and what was written to them. */
export function captureIo(options: CaptureOptions = {}): { io: CliIo; out: () => Buffer; text: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  let err = '';
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d) => (err += d));
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? Buffer.alloc(0));
  const io: CliIo = {
    stdin,
    stdout,
    stderr,
    stderrIsTTY: options.stderrIsTTY ?? false,
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  return { io, out: () => Buffer.concat(out), text: () => Buffer.concat(out).toString(), err: () => err };
}

/** Runs `metalayer ARGV` in-process; returns the exit code and the output. */
export async function runCli(
  argv: string[],
  options: CaptureOptions = {},
): Promise<{ code: number; stdout: string; stderr: string; json: <T = unknown>() => T }> {
  const c = captureIo(options);
  const code = await main(argv, c.io);
  const stdout = c.text();
  return { code, stdout, stderr: c.err(), json: <T>() => JSON.parse(stdout) as T };
}
