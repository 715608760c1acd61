import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { which } from '@metalayer/test-utils';
import { prepareModules, E2E_MODULES, type KernelInfo } from '../kernel/kernel';
import { assetsDir } from '../paths';
import { busyboxEntries, findBusybox } from '../tree/busybox';
import { dir, file, hostFile, symlink, withParentDirs, type TreeEntry } from '../tree/fs-tree';
import { newcArchive } from './newc-archive';
import { binaryWithLibraries } from './shared-libraries';

/** Options of {@link buildInitramfs}. */
export interface BuildInitramfsOptions {
  kernel: KernelInfo;
  /** Where to write the gzip-compressed newc archive. */
  out: string;
  /** Modules to resolve and load (default {@link E2E_MODULES}). */
  modules?: readonly string[];
  /** The `/init` script (default `assets/initramfs-init.sh`, the composefs setup-root). */
  init?: string;
  /** Host binaries to copy with their libraries into `/bin` (default `fsverity`). */
  binaries?: readonly string[];
  /** Extra entries (e.g. a test's own files); they replace defaults at the same path. */
  extra?: readonly TreeEntry[];
}

/** What {@link buildInitramfs} produced. */
export interface InitramfsResult {
  path: string;
  size: number;
  /** Modules in the order `/init` loads them. */
  moduleOrder: string[];
  /** Every path in the archive. */
  paths: string[];
}

/** The `/init` shipped by default: composefs setup-root in busybox sh. */
export function defaultInitScript(): string {
  return readFileSync(join(assetsDir, 'initramfs-init.sh'), 'utf8');
}

/**
 * The initramfs tree: busybox-static with every applet in `/bin`, the kernel
 * modules (uncompressed) with `/lib/modules/load-order`, the binaries with their
 * `ldd` libraries, `/lib/cfs-lib.sh` and `/init`.
 */
export async function initramfsTree(options: Omit<BuildInitramfsOptions, 'out'>): Promise<{ tree: TreeEntry[]; moduleOrder: string[] }> {
  const modules = await prepareModules(options.kernel, options.modules ?? E2E_MODULES);
  const entries: TreeEntry[] = [
    ...['/', '/dev', '/proc', '/sys', '/sysroot', '/run', '/tmp', '/mnt', '/etc', '/lib/modules', '/lib64'].map((p) => dir(p)),
    symlink('/sbin', 'bin'),
    ...busyboxEntries(findBusybox(), '/bin/busybox'),
  ];
  for (const name of modules.order) {
    const path = modules.files.get(name)!;
    entries.push(hostFile(`/lib/modules/${name}.ko`, path, statSync(path).size, 0o644));
  }
  entries.push(file('/lib/modules/load-order', modules.order.map((m) => `${m}\n`).join('')));
  for (const name of options.binaries ?? ['fsverity']) {
    const hostPath = name.startsWith('/') ? name : which(name);
    if (!hostPath) throw new Error(`initramfs binary ${name} not found on PATH`);
    entries.push(...binaryWithLibraries(hostPath, `/bin/${name.split('/').pop()!}`));
  }
  entries.push(file('/lib/cfs-lib.sh', readFileSync(join(assetsDir, 'cfs-lib.sh'), 'utf8')));
  entries.push(file('/init', options.init ?? defaultInitScript(), 0o755));
  entries.push(...(options.extra ?? []));
  return { tree: withParentDirs(entries), moduleOrder: modules.order };
}

/**
 * Builds a gzip-compressed newc initramfs (see {@link initramfsTree}) at
 * `options.out`, written under a temporary name and renamed into place.
 */
export async function buildInitramfs(options: BuildInitramfsOptions): Promise<InitramfsResult> {
  const { tree, moduleOrder } = await initramfsTree(options);
  await mkdir(dirname(options.out), { recursive: true });
  const tmp = `${options.out}.tmp-${process.pid}`;
  await pipeline(Readable.from(newcArchive(tree)), createGzip({ level: 6 }), createWriteStream(tmp));
  await rename(tmp, options.out);
  return { path: options.out, size: statSync(options.out).size, moduleOrder, paths: tree.map((e) => e.path) };
}
