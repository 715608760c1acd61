import { describe, expect, it } from 'vitest';
import { main } from './cli';
import { captureIo } from './test-support/capture-io';

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
    expect(c.text()).toContain('Usage: metalayer <command>');
  });
});
