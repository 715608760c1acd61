import { join } from 'node:path';
import { haveStub } from '@metalayer/conformance';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/capture-io';
import { transplantArtifact, writeCliFixtures, type CliFixtures } from '../test-support/cli-fixtures';

interface VerifyJson {
  ok: boolean;
  strategy: string;
  named: { text: string; hex: string }[];
  recomputed: { algorithm: string; erofsVersion: number; hex: string }[];
  matched: { hex: string } | null;
  problems: string[];
}

describe.skipIf(!haveStub())('metalayer verify', () => {
  const tmp = useTempDir('cli-verify-');
  let f: CliFixtures;
  const sealed = () => `oci:${join(tmp, 'base')}:sealed`;
  beforeAll(async () => {
    f = await writeCliFixtures(tmp);
    expect((await runCli(['attach', '--strategy', 'artifact', '--uki', f.uki, f.base, sealed()])).code).toBe(0);
  });

  it('exits 0 and reports every digest involved', async () => {
    const r = await runCli(['verify', '--json', sealed()]);
    expect(r.code).toBe(0);
    const report = r.json<VerifyJson>();
    expect(report).toMatchObject({ ok: true, strategy: 'artifact', problems: [] });
    expect(report.named).toHaveLength(1);
    expect(report.matched?.hex).toBe(report.named[0]!.hex);
    expect(report.recomputed.map((d) => `${d.algorithm}/${d.erofsVersion}`)).toEqual(['sha512/1', 'sha512/0']);
  });

  it('exits 1 for an image without a payload', async () => {
    const r = await runCli(['verify', f.other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no boot payload');
  });

  it('exits 1, naming both digests, for a kernel sealed for another image', async () => {
    await transplantArtifact(join(tmp, 'base'), 'sealed', join(tmp, 'other'), 'base');
    const r = await runCli(['verify', '--json', f.other]);
    expect(r.code).toBe(1);
    const report = r.json<VerifyJson>();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toContain(report.named[0]!.hex);
    expect(report.problems[0]).toContain(report.recomputed[0]!.hex);
    expect(report.named[0]!.hex).not.toBe(report.recomputed[0]!.hex);
  });
});
