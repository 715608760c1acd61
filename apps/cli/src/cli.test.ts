import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './command';
import { main } from './cli';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    env: {},
    cwd: process.cwd(),
  };
  return { io, out: () => out, err: () => err };
}

describe('metalayer dispatcher', () => {
  it('rejects an unknown command with exit 2 and a hint', async () => {
    const c = captureIo();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err()).toContain("unknown command 'frobnicate'");
    expect(c.err()).toContain('metalayer --help');
  });

  it('prints the command list for --help and exits 0', async () => {
    const c = captureIo();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: metalayer <command>');
  });
});
