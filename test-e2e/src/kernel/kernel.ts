import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ExternalToolError } from '@metalayer/core';
import { e2eCacheDir, kernelDir as defaultKernelDir } from '../paths';
import { readModuleIndex, resolveLoadOrder } from './module-index';

/**
 * Modules the e2e initramfs needs on Debian's 6.12 kernel: the virtio disk,
 * ext4 for the composefs repository, loop + EROFS for the image, overlayfs.
 * Their dependencies and soft dependencies come from depmod's files.
 */
export const E2E_MODULES = ['virtio_blk', 'ext4', 'loop', 'erofs', 'overlay'] as const;

/** A kernel unpacked by `scripts/install-system-deps.sh`. */
export interface KernelInfo {
  /** `$METALAYER_KERNEL_DIR` (default `<repo>/.cache/kernel`). */
  dir: string;
  /** `uname -r`, from the `version` file. */
  version: string;
  /** The bzImage (EFI stub kernel). */
  vmlinuz: string;
  /** `root/lib/modules/<version>`. */
  modulesDir: string;
}

/** Finds the unpacked kernel; returns undefined (with the reason) when it is not there. */
export function findKernel(dir = defaultKernelDir): { kernel?: KernelInfo; missing?: string } {
  const versionFile = join(dir, 'version');
  if (!existsSync(versionFile)) return { missing: `${versionFile} (run scripts/install-system-deps.sh)` };
  const version = readFileSync(versionFile, 'utf8').trim();
  const vmlinuz = join(dir, 'vmlinuz');
  const modulesDir = join(dir, 'root', 'lib', 'modules', version);
  if (!existsSync(vmlinuz)) return { missing: vmlinuz };
  if (!existsSync(join(modulesDir, 'modules.dep'))) return { missing: `${modulesDir}/modules.dep (depmod not run)` };
  return { kernel: { dir, version, vmlinuz: realpathSync(vmlinuz), modulesDir } };
}

/** {@link findKernel} that throws when the kernel is missing. */
export function requireKernel(dir = defaultKernelDir): KernelInfo {
  const { kernel, missing } = findKernel(dir);
  if (!kernel) throw new Error(`e2e kernel not found: ${missing}`);
  return kernel;
}

/** Loadable modules, uncompressed on the host, in the order the initramfs must insmod them. */
export interface PreparedModules {
  kernelVersion: string;
  /** Module names in load order. */
  order: string[];
  /** Module name → uncompressed `.ko` in the cache. */
  files: Map<string, string>;
}

function runToFile(cmd: string, args: string[], out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = pipeline(child.stdout, createWriteStream(out));
    child.on('error', (cause) => reject(new ExternalToolError({ tool: cmd, cause, message: `cannot run ${cmd}: ${cause.message}` })));
    child.on('close', (code) => {
      done.then(() => (code === 0 ? resolve() : reject(new ExternalToolError({ tool: cmd, exitCode: code, stderr }))), reject);
    });
  });
}

/**
 * Resolves `wanted` (default {@link E2E_MODULES}) to a load order through the
 * kernel's `modules.dep`/`modules.softdep`/`modules.alias`, and decompresses each
 * `.ko.xz` with the `xz` CLI (node:zlib has no xz) into
 * `test-e2e/.cache/modules/<kver>/`. Files already there are reused.
 */
export async function prepareModules(kernel: KernelInfo, wanted: readonly string[] = E2E_MODULES): Promise<PreparedModules> {
  const index = readModuleIndex(kernel.modulesDir);
  const order = resolveLoadOrder(index, wanted);
  const cache = join(e2eCacheDir, 'modules', kernel.version);
  await mkdir(cache, { recursive: true });
  const files = new Map<string, string>();
  for (const name of order) {
    const rel = index.paths.get(name)!;
    const src = join(kernel.modulesDir, rel);
    const out = join(cache, `${name}.ko`);
    const stamp = `${out}.src`;
    const srcKey = `${rel} ${statSync(src).size} ${statSync(src).mtimeMs}`;
    const cached = existsSync(out) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === srcKey;
    if (!cached) {
      const tmp = `${out}.tmp-${process.pid}`;
      if (rel.endsWith('.ko.xz')) await runToFile('xz', ['-dc', src], tmp);
      else if (rel.endsWith('.ko.zst')) await runToFile('zstd', ['-dcq', src], tmp);
      else if (rel.endsWith('.ko')) await writeFile(tmp, await readFile(src));
      else throw new Error(`unsupported module compression: ${rel}`);
      await rename(tmp, out);
      await writeFile(stamp, srcKey);
    }
    files.set(name, out);
  }
  return { kernelVersion: kernel.version, order, files };
}
