import { haveStub } from '@metalayer/conformance';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StrategyComparison } from '../compare/compare-strategies';
import { runCli } from '../test-support/capture-io';
import { writeCliFixtures, type CliFixtures } from '../test-support/cli-fixtures';

describe.skipIf(!haveStub())('metalayer compare', () => {
  const tmp = useTempDir('cli-compare-');
  let f: CliFixtures;
  beforeAll(async () => {
    f = await writeCliFixtures(tmp);
  });

  it('runs every strategy on scratch copies: one digest, the flags each strategy promises', async () => {
    const r = await runCli(['compare', '--uki', f.uki, '--json', f.base]);
    expect(r.code).toBe(0);
    const rows = r.json<{ strategies: StrategyComparison[] }>().strategies;
    expect(rows.map((row) => row.strategy)).toEqual(['hidden-whiteout', 'kernel-layer', 'artifact']);
    expect(new Set(rows.map((row) => row.composefsDigest)).size).toBe(1);
    expect(rows.every((row) => row.verified)).toBe(true);
    const by = Object.fromEntries(rows.map((row) => [row.strategy, row]));
    expect(by['hidden-whiteout']).toMatchObject({ imageDigestChanged: true, layersAdded: 2, containerView: 'hidden' });
    expect(by['kernel-layer']).toMatchObject({ imageDigestChanged: true, layersAdded: 1, containerView: 'visible in /boot' });
    expect(by.artifact).toMatchObject({
      imageDigestChanged: false,
      layersAdded: 0,
      containerView: 'hidden',
      referrers: 'API or fallback tag',
    });
    for (const row of rows) expect(row.bytesToInstallKernel).toBeGreaterThan(0);
  });

  it('prints an aligned table and never writes to the source image', async () => {
    const before = await runCli(['inspect', '--json', f.base]);
    const r = await runCli(['compare', '--kernel', f.kernel, '--initrd', f.initrd, '--kernel-version', '6.9.0-x', f.base]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^\s+hidden-whiteout\s+kernel-layer\s+artifact$/);
    expect(lines.find((l) => l.startsWith('image digest changed'))).toMatch(/yes\s+yes\s+no$/);
    expect((await runCli(['inspect', '--json', f.base])).stdout).toBe(before.stdout);
  });
});
