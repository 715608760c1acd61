import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { haveStub } from '@metalayer/conformance';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/capture-io';
import { transplantArtifact, writeCliFixtures, type CliFixtures } from '../test-support/cli-fixtures';

/** Every path under `dir` with its type and content digest: proves "byte-identical". */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await stat(p);
      if (st.isDirectory()) {
        out.push(`${relative(dir, p)}/`);
        await walk(p);
      } else
        out.push(
          `${relative(dir, p)} ${createHash('sha256')
            .update(await readFile(p))
            .digest('hex')} ${st.mtimeMs}`,
        );
    }
  };
  await walk(dir);
  return out;
}

describe.skipIf(!haveStub())('metalayer install-kernel', () => {
  const tmp = useTempDir('cli-install-');
  let f: CliFixtures;
  let root: string;
  const image = (tag: string) => `oci:${join(tmp, 'base')}:${tag}`;
  beforeAll(async () => {
    f = await writeCliFixtures(tmp);
    root = join(tmp, 'root');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc', 'machine-id'), `${'ab'.repeat(16)}\n`);
    expect((await runCli(['attach', '--strategy', 'kernel-layer', '--uki', f.uki, f.base, image('uki')])).code).toBe(0);
    expect(
      (
        await runCli([
          'attach',
          '--strategy',
          'artifact',
          '--kernel',
          f.kernel,
          '--initrd',
          f.initrd,
          '--cmdline',
          'rw',
          '--kernel-version',
          '6.9.0-bls',
          f.other,
          `oci:${join(tmp, 'other')}:bls`,
        ])
      ).code,
    ).toBe(0);
  });

  it('installs a verified UKI as kernel-install does, and a second run changes nothing', async () => {
    const boot = join(tmp, 'esp-uki');
    await mkdir(boot);
    const r = await runCli(['install-kernel', '--boot-root', boot, '--root', root, '--json', image('uki')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json<{ entry: string; written: string[] }>();
    expect(out.entry).toBe(`EFI/Linux/${'ab'.repeat(16)}-6.99.0-conformance.efi`);
    const before = await snapshot(boot);
    const again = await runCli(['install-kernel', '--boot-root', boot, '--root', root, image('uki')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already installed');
    expect(await snapshot(boot)).toEqual(before);
  });

  it('writes a BLS type #1 entry and its files, with the dry run showing the same plan first', async () => {
    const boot = join(tmp, 'esp-bls');
    await mkdir(boot);
    const args = ['--boot-root', boot, '--root', root, '--entry-token', 'literal:conf', `oci:${join(tmp, 'other')}:bls`];
    const dry = await runCli(['install-kernel', '--dry-run', '--json', ...args]);
    expect(dry.code).toBe(0);
    const plan = dry.json<{ plan: { layout: string; entryPath: string; changes: { action: string; path: string }[] } }>().plan;
    expect(plan.layout).toBe('bls');
    expect(await readdir(boot)).toEqual([]);
    expect((await runCli(['install-kernel', ...args])).code).toBe(0);
    const entry = await readFile(join(boot, plan.entryPath), 'utf8');
    expect(entry).toMatch(/^options +rw composefs\.digest=v1-sha512-12:[0-9a-f]{128}$/m);
    expect(entry).toMatch(/^linux +\/conf\/6\.9\.0-bls\/linux$/m);
    expect(entry).toMatch(/^title +Conformance OS 1$/m);
    expect(await readFile(join(boot, 'conf', '6.9.0-bls', 'linux'))).toEqual(await readFile(f.kernel));
    expect(await readFile(join(boot, 'loader', 'entries.srel'), 'utf8')).toBe('type1\n');
  });

  it('with --repo deploys the image first, under the digest the kernel names', async () => {
    const boot = join(tmp, 'esp-repo');
    const repo = join(tmp, 'repo');
    await mkdir(boot);
    const r = await runCli([
      'install-kernel',
      '--boot-root',
      boot,
      '--root',
      root,
      '--repo',
      repo,
      '--enable-verity',
      'no',
      '--json',
      image('uki'),
    ]);
    expect(r.code).toBe(0);
    const out = r.json<{ composefsDigest: { hex: string }; deployed: { imagePath: string } }>();
    expect(out.deployed.imagePath).toBe(join(repo, 'images', out.composefsDigest.hex));
    expect(await readlink(out.deployed.imagePath)).toMatch(/^\.\.\/objects\/[0-9a-f]{2}\/[0-9a-f]{126}$/);
  });

  it('refuses a kernel sealed for another image, naming both digests, and leaves $BOOT untouched', async () => {
    const boot = join(tmp, 'esp-refuse');
    await mkdir(join(boot, 'loader', 'entries'), { recursive: true });
    await writeFile(join(boot, 'loader', 'entries', 'old.conf'), 'title old\nlinux /old\n');
    const before = await snapshot(boot);
    expect((await runCli(['attach', '--strategy', 'artifact', '--uki', f.uki, f.base, image('art')])).code).toBe(0);
    const transplanted = await transplantArtifact(join(tmp, 'base'), 'art', join(tmp, 'other'), 'base');
    const r = await runCli(['install-kernel', '--boot-root', boot, '--root', root, '--artifact', transplanted, f.other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/names composefs\.digest=v1-sha512-12:([0-9a-f]{128}).*bootable digest is ([0-9a-f]{128})/);
    expect(await snapshot(boot)).toEqual(before);
    // With --repo too: the deploy pass finds the mismatch before anything is named under images/.
    const repo = join(tmp, 'repo-refuse');
    const withRepo = await runCli([
      'install-kernel',
      '--boot-root',
      boot,
      '--root',
      root,
      '--repo',
      repo,
      '--enable-verity',
      'no',
      '--artifact',
      transplanted,
      f.other,
    ]);
    expect(withRepo.code).toBe(1);
    expect(withRepo.stderr).toContain('refusing to deploy an image under a name it does not hash to');
    expect(await readdir(join(repo, 'images')).catch(() => [])).toEqual([]);
    expect(await snapshot(boot)).toEqual(before);
  });
});
