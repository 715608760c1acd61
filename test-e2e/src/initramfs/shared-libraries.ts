import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ExternalToolError } from '@metalayer/core';
import { hostFile, type TreeEntry } from '../tree/fs-tree';

/** Where every copied library goes, whatever its host path: RUNPATHs outside the initramfs cannot be relied on. */
export const INITRAMFS_LIB_DIR = '/lib/x86_64-linux-gnu';

/** One line of `ldd` output that names a file to copy. */
export interface LddDependency {
  /** The soname (`libc.so.6`) or, for the dynamic loader, its absolute path. */
  name: string;
  /** Resolved host path. */
  hostPath: string;
}

/**
 * Shared-library dependencies of `binary` according to `ldd`. Fails when ldd says
 * "not found": the binary would not start in the initramfs. A static binary has none.
 */
export function lddDependencies(binary: string): LddDependency[] {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.error) throw new ExternalToolError({ tool: 'ldd', cause: r.error, message: `cannot run ldd: ${r.error.message}` });
  const out = `${r.stdout}${r.stderr}`;
  if (/not a dynamic executable|statically linked/.test(out)) return [];
  if (r.status !== 0) throw new ExternalToolError({ tool: 'ldd', exitCode: r.status, stderr: out });
  const deps: LddDependency[] = [];
  for (const raw of out.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('linux-vdso') || line.startsWith('linux-gate')) continue;
    if (line.includes('not found')) {
      throw new ExternalToolError({ tool: 'ldd', message: `${binary}: ldd reports a missing library: ${line}` });
    }
    const arrow = /^(\S+)\s+=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    const plain = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (arrow) deps.push({ name: arrow[1]!, hostPath: arrow[2]! });
    else if (plain) deps.push({ name: plain[1]!, hostPath: plain[1]! });
    else throw new ExternalToolError({ tool: 'ldd', message: `${binary}: unexpected ldd line: ${line}` });
  }
  return deps;
}

/**
 * Tree entries that install `binary` at `installPath` plus everything it links:
 * the dynamic loader keeps its absolute path (it is baked into the binary's
 * PT_INTERP), every other library goes to {@link INITRAMFS_LIB_DIR} under its soname.
 */
export function binaryWithLibraries(binary: string, installPath: string): TreeEntry[] {
  const real = realpathSync(binary);
  const entries: TreeEntry[] = [hostFile(installPath, real, statSync(real).size, 0o755)];
  for (const dep of lddDependencies(real)) {
    const src = realpathSync(dep.hostPath);
    const dest = dep.name.startsWith('/') ? dep.name : `${INITRAMFS_LIB_DIR}/${basename(dep.name)}`;
    entries.push(hostFile(dest, src, statSync(src).size, 0o755));
  }
  return entries;
}
