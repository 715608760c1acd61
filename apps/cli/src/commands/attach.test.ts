import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { encodeJson, MediaType, openLayout, putLayer, resolveImage } from '@metalayer/oci';
import { buildTestImage, OS_LAYERS } from '@metalayer/test-fixtures';
import { appendLayers } from '@metalayer/strategy-kit';
import { haveStub, STUB_PATH } from '@metalayer/conformance';
import { haveTools, prngBytes, useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/capture-io';
import { writeCliFixtures, type CliFixtures } from '../test-support/cli-fixtures';

interface AttachJson {
  strategy: string;
  image: { digest: string };
  artifact: { digest: string } | null;
  composefsDigest: { algorithm: string; erofsVersion: number; hex: string };
  kernelArgument: string;
  added: { digest: string; size: number }[];
  payload: { kind: string; cmdlines: { cmdline: string }[] };
}

describe.skipIf(!haveStub() || !haveTools('docker-registry'))('metalayer attach', () => {
  const tmp = useTempDir('cli-attach-');
  let f: CliFixtures;
  beforeAll(async () => {
    f = await writeCliFixtures(tmp);
  });

  it.each(['hidden-whiteout', 'kernel-layer', 'artifact'])('%s: seals a UKI with the bootable digest and tags DEST', async (strategy) => {
    const dest = `oci:${join(tmp, 'base')}:${strategy}`;
    const r = await runCli(['attach', '--strategy', strategy, '--uki', f.uki, '--json', f.base, dest]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json<AttachJson>();
    expect(out.strategy).toBe(strategy);
    expect(out.composefsDigest).toMatchObject({ algorithm: 'sha512', erofsVersion: 1 });
    expect(out.kernelArgument).toBe(`composefs.digest=v1-sha512-12:${out.composefsDigest.hex}`);
    expect(out.payload.cmdlines[0]!.cmdline).toBe(`console=ttyS0 rw quiet ${out.kernelArgument}`);
    expect(out.image.digest === f.baseImage.manifest.digest).toBe(strategy === 'artifact');
    const verify = await runCli(['verify', dest]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(out.composefsDigest.hex);
  });

  it('builds a BLS payload from --kernel/--initrd/--cmdline, and a UKI with --stub', async () => {
    const bls = await runCli([
      'attach',
      '--strategy',
      'kernel-layer',
      '--kernel',
      f.kernel,
      '--initrd',
      f.initrd,
      '--cmdline',
      'rw',
      '--kernel-version',
      '6.9.0-test',
      '--json',
      f.base,
      `oci:${join(tmp, 'bls')}:x`,
    ]);
    expect(bls.code).toBe(0);
    const blsOut = bls.json<AttachJson>();
    expect(blsOut.payload.kind).toBe('bls');
    expect(blsOut.payload.cmdlines[0]!.cmdline).toBe(`rw ${blsOut.kernelArgument}`);
    const uki = await runCli([
      'attach',
      '--strategy',
      'artifact',
      '--kernel',
      f.kernel,
      '--initrd',
      f.initrd,
      '--stub',
      STUB_PATH,
      '--kernel-version',
      '6.9.0-test',
      '--hash',
      'sha256',
      '--json',
      f.base,
      `oci:${join(tmp, 'stub')}:x`,
    ]);
    expect(uki.code).toBe(0);
    const ukiOut = uki.json<AttachJson>();
    expect(ukiOut.payload.kind).toBe('uki');
    expect(ukiOut.kernelArgument).toMatch(/^composefs\.digest=v1-sha256-12:[0-9a-f]{64}$/);
    // DEST was another layout: the image was copied there, and verify passes there.
    expect((await runCli(['verify', `oci:${join(tmp, 'stub')}:x`])).code).toBe(0);
  });

  it('--from-image takes the kernel and initramfs the image ships in /usr/lib/modules', async () => {
    const store = await openLayout(join(tmp, 'base'));
    const base = await resolveImage(store, 'base');
    const kernel = prngBytes('image-kernel', 50_000);
    const modules = await putLayer(store, [
      { name: 'usr/lib/modules/', type: 'directory', mode: 0o755 },
      { name: 'usr/lib/modules/6.9.0-img/', type: 'directory', mode: 0o755 },
      { name: 'usr/lib/modules/6.9.0-img/vmlinuz', type: 'file', body: kernel },
      { name: 'usr/lib/modules/6.9.0-img/initramfs.img', type: 'file', body: prngBytes('image-initrd', 9_000) },
    ]);
    await appendLayers(store, base, {
      layers: [{ descriptor: modules.descriptor, diffId: modules.diffId, createdBy: 'test: kernel' }],
      tag: 'with-kernel',
    });
    const src = `oci:${join(tmp, 'base')}:with-kernel`;
    const r = await runCli([
      'attach',
      '--strategy',
      'kernel-layer',
      '--from-image',
      '--cmdline',
      'rw',
      '--json',
      src,
      `oci:${join(tmp, 'base')}:from-image`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json<AttachJson & { payload: { kernelVersion: string; files: { role: string; digest: string }[] } }>();
    expect(out.payload.kernelVersion).toBe('6.9.0-img');
    expect(out.payload.files[0]).toMatchObject({ role: 'kernel', digest: `sha256:${createHash('sha256').update(kernel).digest('hex')}` });
    expect((await runCli(['verify', `oci:${join(tmp, 'base')}:from-image`])).code).toBe(0);
    const missing = await runCli(['attach', '--strategy', 'kernel-layer', '--from-image', f.base, `oci:${join(tmp, 'base')}:nope`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no /usr/lib/modules/<kver>/vmlinuz');
  });

  it('picks one platform of an image index (--platform), and every other command follows it', async () => {
    const dir = join(tmp, 'multi');
    const layers = OS_LAYERS.map((entries) => ({ entries }));
    const amd = await buildTestImage(dir, layers, 'amd64', { config: { architecture: 'amd64', os: 'linux' } });
    const arm = await buildTestImage(dir, layers, 'arm64', { config: { architecture: 'arm64', os: 'linux' } });
    const entry = (image: typeof amd, architecture: string) => {
      const { mediaType, digest, size } = image.image.descriptor;
      return { mediaType, digest, size, platform: { architecture, os: 'linux' } };
    };
    const index = { schemaVersion: 2, mediaType: MediaType.imageIndex, manifests: [entry(amd, 'amd64'), entry(arm, 'arm64')] };
    await amd.store.putManifest(encodeJson(index), { tag: 'multi' });
    const multi = `oci:${dir}:multi`;
    const r = await runCli([
      'attach',
      '--strategy',
      'artifact',
      '--uki',
      f.uki,
      '--platform',
      'linux/arm64',
      '--json',
      multi,
      `oci:${dir}:sealed`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.json<AttachJson>().image.digest).toBe(arm.image.descriptor.digest);
    expect((await runCli(['verify', '--platform', 'linux/arm64', multi])).code).toBe(0);
    // The default platform (linux/amd64) has no kernel attached.
    expect((await runCli(['verify', multi])).code).toBe(1);
  });

  it('refuses bad flags with exit 2 and a hint, before writing anything', async () => {
    const none = await runCli(['attach', '--uki', f.uki, f.base, `oci:${join(tmp, 'n')}:x`]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--strategy is required');
    expect(none.stderr).toContain('hidden-whiteout, kernel-layer, artifact');
    const unknown = await runCli(['attach', '--strategy', 'nope', '--uki', f.uki, f.base, `oci:${join(tmp, 'n')}:x`]);
    expect(unknown.code).toBe(2);
    const both = await runCli([
      'attach',
      '--strategy',
      'artifact',
      '--uki',
      f.uki,
      '--kernel',
      f.kernel,
      f.base,
      `oci:${join(tmp, 'n')}:x`,
    ]);
    expect(both.code).toBe(2);
    const digestDest = await runCli([
      'attach',
      '--strategy',
      'artifact',
      '--uki',
      f.uki,
      f.base,
      `oci:${join(tmp, 'n')}@sha256:${'0'.repeat(64)}`,
    ]);
    expect(digestDest.code).toBe(2);
    const badHash = await runCli(['attach', '--strategy', 'artifact', '--uki', f.uki, '--hash', 'md5', f.base, `oci:${join(tmp, 'n')}:x`]);
    expect(badHash.code).toBe(2);
  });

  it('refuses to attach twice with a layer strategy', async () => {
    const dest = `oci:${join(tmp, 'twice')}:sealed`;
    expect((await runCli(['attach', '--strategy', 'kernel-layer', '--uki', f.uki, f.base, dest])).code).toBe(0);
    const again = await runCli(['attach', '--strategy', 'kernel-layer', '--uki', f.uki, dest, `oci:${join(tmp, 'twice')}:again`]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('already carries');
  });
});
