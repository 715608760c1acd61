import { join } from 'node:path';
import { haveStub } from '@metalayer/conformance';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/capture-io';
import { writeCliFixtures, type CliFixtures } from '../test-support/cli-fixtures';

describe.skipIf(!haveStub())('metalayer inspect', () => {
  const tmp = useTempDir('cli-inspect-');
  let f: CliFixtures;
  beforeAll(async () => {
    f = await writeCliFixtures(tmp);
    expect((await runCli(['attach', '--strategy', 'kernel-layer', '--uki', f.uki, f.base, `oci:${join(tmp, 'base')}:sealed`])).code).toBe(
      0,
    );
  });

  it('describes an image: layers with annotations, labels, detected strategies', async () => {
    const r = await runCli(['inspect', '--json', `oci:${join(tmp, 'base')}:sealed`]);
    expect(r.code).toBe(0);
    const out = r.json<{ strategies: string[]; labels: Record<string, string>; layers: { annotations?: Record<string, string> }[] }>();
    expect(out.strategies).toEqual(['kernel-layer']);
    expect(out.labels['dev.metalayer.strategy']).toBe('kernel-layer');
    expect(out.layers.at(-1)!.annotations?.['dev.metalayer.layer.role']).toBe('kernel');
    const base = await runCli(['inspect', '--json', f.base]);
    expect(base.json<{ strategies: string[] }>().strategies).toEqual([]);
  });

  it('describes a UKI file: sections and command line', async () => {
    const r = await runCli(['inspect', '--json', f.uki]);
    expect(r.code).toBe(0);
    const out = r.json<{ isUki: boolean; signed: boolean; sections: { name: string }[]; cmdlines: { cmdline: string }[] }>();
    expect(out.isUki).toBe(true);
    expect(out.signed).toBe(false);
    expect(out.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.linux', '.initrd', '.cmdline', '.osrel']));
    expect(out.cmdlines[0]!.cmdline).toBe('console=ttyS0 rw quiet');
    const text = await runCli(['inspect', f.uki]);
    expect(text.stdout).toContain('UKI');
    expect(text.stdout).toContain('cmdline: console=ttyS0 rw quiet');
  });

  it('fails clearly on something that is neither', async () => {
    const r = await runCli(['inspect', join(tmp, 'vmlinuz-missing')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metalayer: error:');
  });
});
