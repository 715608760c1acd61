import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import type { StrategyComparison } from '../compare/compare-strategies';
import { runCli } from '../test-support/capture-io';

describe('metalayer demo', () => {
  const tmp = useTempDir('cli-demo-');

  it('builds its image, attaches with every strategy and verifies them all', async () => {
    const out = join(tmp, 'out');
    const r = await runCli(['demo', '--json', '--output', out], { env: {} });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const demo = r.json<{ payload: string; kernel: string; strategies: StrategyComparison[] }>();
    expect(demo.strategies.map((s) => s.strategy)).toEqual(['hidden-whiteout', 'kernel-layer', 'artifact']);
    expect(demo.strategies.every((s) => s.verified)).toBe(true);
    expect(new Set(demo.strategies.map((s) => s.composefsDigest)).size).toBe(1);
    // The layouts stay for a closer look: verify one of them again.
    expect((await runCli(['verify', `oci:${join(out, 'kernel-layer')}:attached`])).code).toBe(0);
    expect((await runCli(['verify', `oci:${join(out, 'artifact')}:attached`])).code).toBe(0);
  });

  it('refuses a non-empty --output directory', async () => {
    const busy = join(tmp, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'x'), '');
    const r = await runCli(['demo', '--output', busy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty');
  });
});
