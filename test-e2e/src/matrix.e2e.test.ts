import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_REGISTRY_BIN, haveFile, startDockerRegistry, useTempDir, type TestRegistry } from '@metalayer/test-utils';
import { createMetalayerCli } from './cli/metalayer-cli';
import { buildDataDisk } from './disks/data-disk';
import { buildTamperedDataDisk } from './disks/tampered-disk';
import { BASE_CMDLINE } from './fixtures/harness-fixture';
import { buildInitramfs } from './initramfs/build-initramfs';
import { requireKernel } from './kernel/kernel';
import { bootMediaFor, objectWithContent, type BootLoader, type BootMedia } from './matrix/boot-media';
import { BootSummary, bootDigest } from './matrix/boot-summary';
import { ABSENT_VARIANT, MATRIX_IMAGE_NAMES, MATRIX_VARIANTS, STRATEGIES } from './matrix/matrix-plan';
import { sealVariants, type SealedVariant } from './matrix/seal-variants';
import { writeVariantImages, type VariantImage } from './matrix/variant-images';
import { artifactsDir } from './paths';
import { canBootUefi } from './preflight';
import { assertComposefsBoot } from './qemu/assert-boot';
import { bootQemu, describeBoot, type BootResult } from './qemu/boot-qemu';
import { BOOT_OUTCOMES, type BootOutcome } from './qemu/boot-outcomes';
import { FIRMWARE } from './qemu/firmware';
import { markValue } from './qemu/serial-console';
import { runTool } from './tools';

const OS_RELEASE = 'ID=metalayer-e2e\nNAME="metalayer e2e"\nPRETTY_NAME="metalayer e2e matrix"\nVERSION_ID=1\n';
/** Boots wait for a machine-wide VM slot (2 VMs at a time, shared with the other files). */
const BOOT_TEST_TIMEOUT_MS = 900_000;

/** One positive boot per sealed variant: every UKI through systemd-boot as a Type #2 entry, every BLS entry as Type #1. */
const BOOTS: ReadonlyArray<{ variant: string; loader: BootLoader }> = MATRIX_VARIANTS.map((v) => ({
  variant: v.id,
  loader: 'systemd-boot',
}));
const TAMPERED = { name: 'matrix-neg-altered-object', variant: 'kernel-layer-bls', loader: 'direct' as BootLoader };
const ABSENT = { name: 'matrix-neg-other-image-uki', variant: ABSENT_VARIANT.id, loader: 'systemd-boot' as BootLoader };
const bootName = (variant: string): string => `matrix-${variant}`;
const ORDER = [...BOOTS.map((b) => bootName(b.variant)), TAMPERED.name, ABSENT.name];

// The issue-7 matrix: a tiny OS image sealed by each strategy with a UKI and with a
// BLS Type #1 payload, using nothing but the built `metalayer` command (attach, copy,
// verify, deploy, install-kernel); the data disk and ESPs are made from the
// directories those commands wrote, then booted under QEMU.
describe.skipIf(!canBootUefi() || !haveFile(DOCKER_REGISTRY_BIN, 'docker-registry'))('boot matrix through the metalayer CLI', () => {
  const tmp = useTempDir('metalayer-e2e-matrix-');
  const summary = new BootSummary();
  const stage = join(tmp, 'stage');
  const repo = join(stage, 'composefs');
  let registry: TestRegistry | undefined;
  let images: Map<string, VariantImage>;
  const sealed = new Map<string, SealedVariant>();
  const media = new Map<string, BootMedia>();
  let dataDisk: string;
  let tamperedDisk: string;
  let kernelVersion: string;

  beforeAll(async () => {
    const transcript = join(artifactsDir, 'matrix-cli.log');
    rmSync(transcript, { force: true });
    const cli = createMetalayerCli(transcript);
    const kernel = requireKernel();
    kernelVersion = kernel.version;
    images = await writeVariantImages(join(tmp, 'images'), MATRIX_IMAGE_NAMES);
    const initramfs = await buildInitramfs({ kernel, out: join(tmp, 'initrd.cpio.gz') });
    const osRelease = join(tmp, 'os-release');
    writeFileSync(osRelease, OS_RELEASE);
    mkdirSync(stage, { recursive: true });
    registry = await startDockerRegistry();
    const variants = await sealVariants([...MATRIX_VARIANTS, ABSENT_VARIANT], {
      cli,
      workDir: tmp,
      images,
      vmlinuz: kernel.vmlinuz,
      initrd: initramfs.path,
      stub: FIRMWARE.stub,
      osRelease,
      cmdline: BASE_CMDLINE,
      repo,
      registryHost: registry.host,
    });
    for (const v of variants) sealed.set(v.plan.id, v);
    // Disks from what the commands wrote: the repository as is, and a copy with the
    // kernel-layer image's marker object altered (same length).
    dataDisk = (await buildDataDisk({ stageDir: stage, out: join(tmp, 'data.img') })).path;
    const victim = sealed.get(TAMPERED.variant)!;
    tamperedDisk = await buildTamperedDataDisk({
      stageDir: stage,
      copyDir: join(tmp, 'stage-tampered'),
      objectPath: objectWithContent(repo, victim.image.bigMarker),
      out: join(tmp, 'data-tampered.img'),
    });
    for (const b of [...BOOTS, TAMPERED, ABSENT])
      media.set(`${b.variant}/${b.loader}`, await bootMediaFor(sealed.get(b.variant)!, b.loader, tmp));
  }, 900_000);

  afterAll(async () => {
    await registry?.stop();
    if (summary.rows.length > 0) {
      const path = summary.write(artifactsDir, 'matrix-summary', ORDER);
      console.log(`boot matrix (${path}):\n${summary.format(ORDER)}`);
    }
  });

  const hexOf = (id: string): string => sealed.get(id)!.attach.composefsDigest.hex;

  it('attach, copy, verify, deploy and install-kernel agree on every digest', () => {
    for (const v of [...MATRIX_VARIANTS, ABSENT_VARIANT]) {
      const s = sealed.get(v.id)!;
      const hex = s.attach.composefsDigest.hex;
      const karg = `composefs.digest=v1-sha512-12:${hex}`;
      expect(s.attach).toMatchObject({
        strategy: v.strategy,
        composefsDigest: { algorithm: 'sha512', erofsVersion: 1 },
        kernelArgument: karg,
      });
      expect(hex).toMatch(/^[0-9a-f]{128}$/);
      expect(s.attach.payload.kind).toBe(v.kind);
      expect(s.attach.payload.cmdlines.map((c) => c.cmdline)).toEqual([`${BASE_CMDLINE} ${karg}`]);
      // Only the artifact strategy leaves the image manifest untouched.
      const source = s.image.image.manifestDigest;
      if (v.strategy === 'artifact') expect(s.attach.image.digest).toBe(source);
      else expect(s.attach.image.digest).not.toBe(source);
      expect(s.verify).toMatchObject({
        ok: true,
        strategy: v.strategy,
        problems: [],
        matched: { algorithm: 'sha512', erofsVersion: 1, hex },
      });
      expect(s.install.composefsDigest.hex).toBe(hex);
      const token = `${v.strategy}-${kernelVersion}`;
      expect(s.install.entry).toBe(v.kind === 'uki' ? `EFI/Linux/${token}.efi` : `loader/entries/${token}.conf`);
      expect(existsSync(join(s.bootRoot, s.install.entry))).toBe(true);
    }
    // The UKI and the BLS payload of one strategy seal the same image; each image has its own digest.
    for (const strategy of STRATEGIES) expect(hexOf(`${strategy}-uki`)).toBe(hexOf(`${strategy}-bls`));
    expect(new Set([...STRATEGIES.map((st) => hexOf(`${st}-uki`)), hexOf(ABSENT_VARIANT.id)]).size).toBe(STRATEGIES.length + 1);
  });

  it('copies the artifact variant through docker-registry and back with its referrer', () => {
    const s = sealed.get('artifact-uki')!;
    expect(s.copies).toHaveLength(2);
    for (const copy of s.copies) {
      expect(copy.digest).toBe(s.attach.image.digest);
      expect(copy.referrers.map((r) => r.digest)).toContain(s.attach.artifact?.digest);
    }
    expect(s.reference).toMatch(/-pulled:sealed$/);
  });

  it('deploys each image once into one repository, named as fsverity measures it', () => {
    for (const v of MATRIX_VARIANTS) {
      const s = sealed.get(v.id)!;
      const hex = hexOf(v.id);
      if (s.deploy) expect(s.deploy).toMatchObject({ id: hex, algorithm: 'sha512' });
      else expect(s.install.deployed?.imagePath).toBe(join(repo, 'images', hex));
      // The BLS variant comes second: its image is already there (deploy is idempotent).
      if (v.kind === 'bls') expect(s.deploy?.imageWritten).toBe(false);
      const measured = runTool('fsverity', ['digest', '--hash-alg=sha512', join(repo, 'images', hex)]).stdout.toString();
      expect(measured.split(' ')[0]).toBe(`sha512:${hex}`);
    }
    expect(existsSync(join(repo, 'images', hexOf(ABSENT_VARIANT.id)))).toBe(false);
  });

  async function boot(name: string, key: string, disk: string, outcome: BootOutcome = BOOT_OUTCOMES.composefsRoot): Promise<BootResult> {
    const m = media.get(key)!;
    return bootQemu({ name, boot: m.boot, disks: [{ path: disk }, ...m.disks], ...outcome });
  }

  function record(name: string, v: SealedVariant, loader: BootLoader, result: BootResult, outcome: string): void {
    summary.add({
      boot: name,
      strategy: v.plan.strategy,
      payload: v.plan.kind === 'uki' ? 'UKI' : 'BLS',
      path: media.get(`${v.plan.id}/${loader}`)!.path,
      outcome,
      ok: result.ok,
      wallMs: result.wallMs,
      digest: bootDigest(result),
      log: result.logPath,
    });
  }

  describe.concurrent('boots', () => {
    for (const b of BOOTS) {
      it(
        `${b.variant} boots through ${b.loader} into its own image with verity=require`,
        async ({ expect }) => {
          const v = sealed.get(b.variant)!;
          const name = bootName(b.variant);
          const result = await boot(name, `${b.variant}/${b.loader}`, dataDisk);
          record(name, v, b.loader, result, 'composefs root');
          const hex = hexOf(b.variant);
          assertComposefsBoot(result, name, { digest: hex, algorithm: 'sha512', marker: v.image.bigMarker });
          expect(markValue(result.marks, 'composefs-karg', 'digest'), describeBoot(result, name)).toBe(hex);
          expect(markValue(result.marks, 'image', 'path')).toBe(`/sysroot/composefs/images/${hex}`);
          // A UKI's command line is its .cmdline; systemd-boot prepends initrd= to a Type #1 entry's options.
          const cmdline = v.attach.payload.cmdlines[0]!.cmdline;
          const seen = markValue(result.marks, 'cmdline') ?? '';
          if (v.plan.kind === 'uki' || b.loader === 'direct') {
            expect(seen).toBe(cmdline);
          } else {
            expect(seen).toMatch(/^initrd=\S+ /);
            expect(seen.slice(seen.indexOf(' ') + 1)).toBe(cmdline);
          }
        },
        BOOT_TEST_TIMEOUT_MS,
      );
    }

    it(
      'an object altered on the disk: the image mounts with verity=require, reading the object fails',
      async ({ expect }) => {
        const v = sealed.get(TAMPERED.variant)!;
        const result = await boot(TAMPERED.name, `${TAMPERED.variant}/${TAMPERED.loader}`, tamperedDisk, BOOT_OUTCOMES.objectReadFails);
        record(TAMPERED.name, v, TAMPERED.loader, result, 'read of /etc/marker-big fails (EIO)');
        expect(result.ok, describeBoot(result, TAMPERED.name)).toBe(true);
        expect(markValue(result.marks, 'image-measure')).toBe(`sha512:${hexOf(TAMPERED.variant)}`);
        expect(markValue(result.marks, 'overlay')).toMatch(/\bverity=require\b/);
        expect(markValue(result.marks, 'FAIL')).toMatch(/Input\/output error/);
        expect(result.marks.map((m) => m.text).join('\n')).toMatch(/kmsg .*overlayfs: .*wrong fs-verity digest/);
      },
      BOOT_TEST_TIMEOUT_MS,
    );

    it(
      'a UKI sealed for an image the repository lacks mounts nothing',
      async ({ expect }) => {
        const v = sealed.get(ABSENT.variant)!;
        const result = await boot(ABSENT.name, `${ABSENT.variant}/${ABSENT.loader}`, dataDisk, BOOT_OUTCOMES.imageNotFound);
        record(ABSENT.name, v, ABSENT.loader, result, 'MARK FAIL image not found');
        expect(result.ok, describeBoot(result, ABSENT.name)).toBe(true);
        expect(markValue(result.marks, 'image-missing', 'digest')).toBe(hexOf(ABSENT.variant));
        expect(result.marks.some((m) => /^(image |image-measure|erofs-mounted|overlay|switch-root|in-composefs-root)/.test(m.text))).toBe(
          false,
        );
      },
      BOOT_TEST_TIMEOUT_MS,
    );
  });
});
