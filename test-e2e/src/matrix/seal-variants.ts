import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  attachJson,
  copyJson,
  deployJson,
  installKernelJson,
  verifyJson,
  type AttachJson,
  type CopyJson,
  type DeployJson,
  type InstallKernelJson,
  type VerifyJson,
} from '../cli/cli-json';
import type { MetalayerCli } from '../cli/metalayer-cli';
import type { VariantPlan } from './matrix-plan';
import type { VariantImage } from './variant-images';

/** What the pipeline needs besides the plan. */
export interface SealInputs {
  cli: MetalayerCli;
  workDir: string;
  images: ReadonlyMap<string, VariantImage>;
  vmlinuz: string;
  initrd: string;
  /** systemd-stub, for `attach --stub` (the UKI variants). */
  stub: string;
  osRelease: string;
  /** Everything the kernel needs besides the composefs argument attach adds. */
  cmdline: string;
  /** The composefs repository the data disk carries (`<stage>/composefs`). */
  repo: string;
  /** `127.0.0.1:<port>` of a docker-registry, for the variants that travel through it. */
  registryHost: string;
}

/** One variant after the pipeline: every command's JSON, and where its entry is. */
export interface SealedVariant {
  plan: VariantPlan;
  image: VariantImage;
  /** The image every later command read: the attach destination, or its copy back from the registry. */
  reference: string;
  attach: AttachJson;
  copies: CopyJson[];
  verify: VerifyJson;
  /** `metalayer deploy` output (absent when install-kernel deployed, or nothing was). */
  deploy?: DeployJson;
  install: InstallKernelJson;
  /** `$BOOT` as install-kernel wrote it. */
  bootRoot: string;
}

/** The sealing command for `v`: `attach --strategy S (--kernel … --stub … | --kernel … --initrd …)`. */
function attachArgs(v: VariantPlan, input: SealInputs, dest: string): string[] {
  const src = input.images.get(v.imageName)?.image.reference;
  if (!src) throw new Error(`no image ${v.imageName} in the matrix images`);
  return [
    'attach',
    '--strategy',
    v.strategy,
    '--kernel',
    input.vmlinuz,
    '--initrd',
    input.initrd,
    '--cmdline',
    input.cmdline,
    ...(v.kind === 'uki' ? ['--stub', input.stub] : []),
    '--os-release',
    input.osRelease,
    '--json',
    src,
    dest,
  ];
}

/** `attach`, then (for the registry variant) `copy --referrers` out and back. */
export async function attachVariant(v: VariantPlan, input: SealInputs): Promise<Pick<SealedVariant, 'attach' | 'copies' | 'reference'>> {
  const { cli } = input;
  const sealed = `oci:${join(input.workDir, 'sealed', v.id)}:sealed`;
  const attach = attachJson((await cli(attachArgs(v, input, sealed))).json);
  if (!v.viaRegistry) return { attach, copies: [], reference: sealed };
  const remote = `docker://${input.registryHost}/metalayer-e2e/${v.id}:sealed`;
  const pulled = `oci:${join(input.workDir, 'sealed', `${v.id}-pulled`)}:sealed`;
  const push = copyJson((await cli(['copy', '--referrers', '--dest-tls-verify=false', '--json', sealed, remote])).json);
  const pull = copyJson((await cli(['copy', '--referrers', '--src-tls-verify=false', '--json', remote, pulled])).json);
  return { attach, copies: [push, pull], reference: pulled };
}

/** `verify --json` (exit 0 required). */
export async function verifyVariant(reference: string, cli: MetalayerCli): Promise<VerifyJson> {
  return verifyJson((await cli(['verify', '--json', reference])).json);
}

/**
 * Deploys (unless the plan says install-kernel does it, or nothing does) and
 * installs the kernel into a boot root of its own, in the plan's layout, with
 * the strategy as entry token. Not concurrent-safe across variants: they share
 * the repository.
 */
export async function deployAndInstall(
  v: VariantPlan,
  reference: string,
  input: SealInputs,
): Promise<Pick<SealedVariant, 'deploy' | 'install' | 'bootRoot'>> {
  const { cli } = input;
  let deploy: DeployJson | undefined;
  if (v.deploy === 'deploy') {
    deploy = deployJson((await cli(['deploy', '--bootable', '--repo', input.repo, '--json', reference])).json);
  }
  const bootRoot = join(input.workDir, 'boot', v.id);
  // An empty --root: the host's /etc/kernel (tries, entry token) must not leak into the entries.
  const root = join(input.workDir, 'empty-root');
  mkdirSync(bootRoot, { recursive: true });
  mkdirSync(root, { recursive: true });
  const args = [
    'install-kernel',
    '--boot-root',
    bootRoot,
    '--root',
    root,
    '--layout',
    v.kind,
    '--entry-token',
    `literal:${v.strategy}`,
    ...(v.deploy === 'install-kernel --repo' ? ['--repo', input.repo] : []),
    '--json',
    reference,
  ];
  const install = installKernelJson((await cli(args)).json);
  return { deploy, install, bootRoot };
}

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The whole pipeline through the CLI, in phases (attach and verify two at a
 * time; deploy and install one at a time, since they share the repository).
 */
export async function sealVariants(plans: readonly VariantPlan[], input: SealInputs): Promise<SealedVariant[]> {
  const attached = await mapLimit(plans, 2, (v) => attachVariant(v, input));
  const verified = await mapLimit(attached, 2, (a) => verifyVariant(a.reference, input.cli));
  const out: SealedVariant[] = [];
  for (const [i, v] of plans.entries()) {
    const a = attached[i]!;
    const image = input.images.get(v.imageName)!;
    out.push({ plan: v, image, ...a, verify: verified[i]!, ...(await deployAndInstall(v, a.reference, input)) });
  }
  return out;
}
