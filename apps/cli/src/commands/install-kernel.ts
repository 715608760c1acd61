import { InvalidArgumentError, VerificationError, verifyPayload, type BootPayload, type ComposefsDigestValue } from '@metalayer/core';
import { disposeInstallPlan, executeInstall, planInstall, type InstallPayload, type InstallPlan } from '@metalayer/boot/node';
import { deployImage, type DeployResult } from '@metalayer/rootfs';
import { createVerifyDependencies, readComposefsDigests } from '@metalayer/strategy-kit';
import { defineCommand } from '../command';
import { locateFromArgs, locateOptions } from '../locate-args';
import { enableVerityOption, verityPolicy } from '../rootfs-args';
import { withTempDir } from '../temp-dir';

function installPayload(payload: BootPayload): InstallPayload {
  if (payload.kind === 'uki') {
    return { kind: 'uki', uki: payload.uki.data, ...(payload.kernelVersion ? { kernelVersion: payload.kernelVersion } : {}) };
  }
  return {
    kind: 'bls',
    kernel: payload.kernel.data,
    initrds: payload.initrds.map((i) => ({ name: i.name, data: i.data })),
    options: payload.options,
    ...(payload.kernelVersion ? { kernelVersion: payload.kernelVersion } : {}),
    ...(payload.title ? { title: payload.title } : {}),
    ...(payload.osRelease ? { osRelease: payload.osRelease } : {}),
  };
}

function parseTries(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError({ argument: '--tries', value, message: `--tries must be a number, got "${value}"` });
  return Number(value);
}

function planLines(plan: InstallPlan): string[] {
  const lines = [`$BOOT ${plan.bootRoot} (${plan.bootRootSource}), layout ${plan.layout}, entry ${plan.entryPath}`];
  if (plan.upToDate) lines.push('  already installed: nothing to write');
  for (const c of plan.changes) {
    if (c.action === 'write') lines.push(`  ${c.replaces ? 'replace' : 'write'} ${c.path} (${c.role}, ${c.size} bytes)`);
    else if (c.action === 'remove') lines.push(`  remove ${c.path} (${c.reason})`);
    else if (c.action === 'mkdir') lines.push(`  mkdir ${c.path}`);
  }
  return lines;
}

/** `metalayer install-kernel`: put a verified image's kernel into $BOOT as systemd kernel-install does. */
export const installKernelCommand = defineCommand({
  name: 'install-kernel',
  summary: "Install an image's kernel into $BOOT (UKI or BLS entry) after checking it names the image's digest.",
  usage: 'install-kernel [--boot-root DIR] [--repo DIR] [--layout auto|uki|bls] [--entry-token T] [--tries N] [--dry-run] IMAGE',
  description: `
Finds the kernel attached to IMAGE (any strategy), recomputes the image's bootable composefs
digest and refuses unless the kernel's command line names it. Then writes $BOOT the way
systemd kernel-install does: layout uki -> EFI/Linux/<token>-<kver>[+tries].efi; layout bls
-> loader/entries/<token>-<kver>[+tries].conf and /<token>/<kver>/{linux,initrd…}. Every file
is written atomically; previous entries stay as fallbacks; re-running changes nothing.
Without --boot-root, $BOOT is found like kernel-install (/efi, /boot, /boot/efi under --root).
With --repo, the image is first deployed into that composefs repository (this recomputes the
digest in the same pass; a mismatch leaves images/ untouched), so no entry ever names a missing
image: image in, bootable system out.`,
  options: {
    ...locateOptions,
    'boot-root': {
      type: 'string',
      valueName: 'DIR',
      description: '$BOOT (default: /efi, /boot or /boot/efi under --root, as kernel-install).',
    },
    root: {
      type: 'string',
      valueName: 'DIR',
      description: 'System whose /etc/kernel, machine-id and os-release apply (default /; an image tree during builds).',
    },
    repo: {
      type: 'string',
      valueName: 'DIR',
      description: 'Deploy the image into this composefs repository first (e.g. /sysroot/composefs).',
    },
    layout: { type: 'string', valueName: 'auto|uki|bls', description: 'Entry type (default auto: follows the payload).' },
    'entry-token': {
      type: 'string',
      valueName: 'TOKEN',
      description: 'auto | machine-id | os-id | os-image-id | literal:STR (default auto, as kernel-install).',
    },
    tries: { type: 'string', valueName: 'N', description: 'Boot counting: name the entry +N (default /etc/kernel/tries).' },
    ...enableVerityOption,
    'allow-insecure': { type: 'boolean', description: 'Accept the insecure composefs=?… form (fs-verity not enforced).' },
    'dry-run': { type: 'boolean', description: 'Show what would be written (with --json: the full plan) and change nothing.' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer install-kernel oci:/var/lib/images:os-42',
    'metalayer install-kernel --repo /sysroot/composefs docker://registry.example/os/base:42',
    'metalayer install-kernel --root ./rootfs --boot-root ./esp --layout bls --entry-token literal:os oci:./b:sealed',
    'metalayer install-kernel --dry-run --json oci:./b:sealed',
  ],
  async run(ctx) {
    const layout = ctx.values.layout ?? 'auto';
    if (layout !== 'auto' && layout !== 'uki' && layout !== 'bls') {
      throw new InvalidArgumentError({
        argument: '--layout',
        value: layout,
        message: `--layout must be auto, uki or bls, got "${layout}"`,
      });
    }
    const verity = verityPolicy(ctx.values['enable-verity']);
    const tries = parseTries(ctx.values.tries);
    const allowInsecure = Boolean(ctx.values['allow-insecure']);
    return withTempDir(async (tempDir) => {
      const strategyCtx = { tempDir, signal: ctx.signal };
      const { image, located } = await locateFromArgs(ctx.positionals[0]!, ctx.values, strategyCtx);
      const named = (await readComposefsDigests(located.payload)).filter((n) => n.format === 'v1');
      let expected: ComposefsDigestValue;
      let deploy: (() => Promise<DeployResult>) | undefined;
      if (ctx.values.repo && !ctx.values['dry-run']) {
        // Deploying recomputes the digest while it writes the objects (one
        // pass); the image is only written and linked when it hashes to the
        // digest the kernel names.
        const first = named[0];
        if (!first)
          throw new VerificationError({
            image: image.label,
            expected: '(deploy)',
            actual: [],
            reason: 'the kernel command line names no composefs digest',
          });
        const repository = ctx.values.repo;
        let deployed: DeployResult | undefined;
        deploy = async () =>
          (deployed ??= await deployImage(image.store, located.image, {
            repository,
            bootable: true,
            algorithm: first.algorithm,
            expectedId: first.hex,
            verity,
            signal: ctx.signal,
          }));
        const id = (await deploy()).imageId;
        expected = { algorithm: id.algorithm, erofsVersion: id.erofsVersion, hex: id.hex };
      } else {
        const report = await verifyPayload(strategyCtx, image.store, located, createVerifyDependencies(), { allowInsecure });
        if (!report.ok || !report.matched) {
          throw new VerificationError({
            image: image.label,
            expected: report.recomputed.map((r) => r.hex).join(' or ') || '(none computed)',
            actual: report.named.map((n) => n.text),
            reason: report.problems.join('; ') || 'verification failed',
          });
        }
        expected = report.matched;
      }
      const plan = await planInstall(installPayload(located.payload), {
        expectedDigest: { algorithm: expected.algorithm, hex: expected.hex },
        allowInsecure,
        layout,
        ...(ctx.values['boot-root'] ? { bootRoot: ctx.values['boot-root'] } : {}),
        ...(ctx.values.root ? { root: ctx.values.root } : {}),
        ...(ctx.values['entry-token'] ? { entryToken: ctx.values['entry-token'] } : {}),
        ...(tries !== undefined ? { tries } : {}),
      });
      try {
        if (ctx.values['dry-run']) {
          if (ctx.json)
            ctx.printJson({
              image: image.label,
              strategy: located.strategy,
              composefsDigest: expected,
              repository: ctx.values.repo ?? null,
              plan,
            });
          else for (const line of ['dry run: nothing written', ...planLines(plan)]) ctx.print(line);
          return;
        }
        const result = await executeInstall(plan, { beforeEntry: deploy ? async () => void (await deploy!()) : undefined });
        const deployed = deploy ? await deploy() : undefined;
        if (ctx.json) {
          return void ctx.printJson({
            image: image.label,
            strategy: located.strategy,
            composefsDigest: expected,
            deployed: deployed
              ? { repository: deployed.repository, imagePath: deployed.imagePath, imageWritten: deployed.imageWritten }
              : null,
            entry: plan.entryPath,
            bootRoot: plan.bootRoot,
            written: result.written,
            removed: result.removed,
          });
        }
        if (deployed) ctx.print(`deployed ${deployed.imagePath}${deployed.imageWritten ? '' : ' (already there)'}`);
        ctx.print(plan.upToDate ? `${plan.entryPath}: already installed` : `installed ${plan.entryPath} in ${plan.bootRoot}`);
        for (const path of result.removed) ctx.print(`removed stale ${path}`);
      } finally {
        await disposeInstallPlan(plan);
      }
    });
  },
});
