import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { haveStub } from '@metalayer/conformance';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/capture-io';
import { writeCliFixtures, type CliFixtures } from '../test-support/cli-fixtures';

describe.skipIf(!haveStub())('metalayer locate', () => {
  const tmp = useTempDir('cli-locate-');
  let f: CliFixtures;
  const sealed = () => `oci:${join(tmp, 'base')}:sealed`;
  beforeAll(async () => {
    f = await writeCliFixtures(tmp);
    expect(
      (
        await runCli([
          'attach',
          '--strategy',
          'hidden-whiteout',
          '--kernel',
          f.kernel,
          '--initrd',
          f.initrd,
          '--kernel-version',
          '6.9.0-x',
          f.base,
          sealed(),
        ])
      ).code,
    ).toBe(0);
  });

  it('finds the payload, says where it came from, and extracts the exact files', async () => {
    const out = join(tmp, 'extracted');
    const r = await runCli(['locate', '--json', '--extract', out, sealed()]);
    expect(r.code).toBe(0);
    const located = r.json<{
      strategy: string;
      origin: { kind: string; paths: string[] };
      payload: { kind: string; files: { role: string; name: string; digest: string }[] };
      extracted: string[];
    }>();
    expect(located.strategy).toBe('hidden-whiteout');
    expect(located.origin.kind).toBe('layer');
    expect(located.payload.files.map((x) => x.role)).toEqual(['kernel', 'initrd']);
    expect(located.extracted).toHaveLength(2);
    const sha = async (path: string) =>
      `sha256:${createHash('sha256')
        .update(await readFile(path))
        .digest('hex')}`;
    expect(await sha(located.extracted[0]!)).toBe(await sha(f.kernel));
    expect(await sha(located.extracted[1]!)).toBe(await sha(f.initrd));
  });

  it('prints the claims as unverified hints in text mode', async () => {
    const r = await runCli(['locate', sealed()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hidden-whiteout');
    expect(r.stdout).toMatch(/claim \(unverified\): composefs\.merged\.bootable\.erofs\.v1\.fsverity-sha512-12=[0-9a-f]{128}/);
  });

  it('exits 1 when there is no payload, 2 for an unknown strategy', async () => {
    expect((await runCli(['locate', f.base])).code).toBe(1);
    expect((await runCli(['locate', '--strategy', 'nope', sealed()])).code).toBe(2);
  });
});
