import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { lddDependencies } from '../initramfs/shared-libraries';
import { hostFile, symlink, type TreeEntry } from './fs-tree';

/** Debian's busybox-static installs here (with merged /usr, `/usr/bin/busybox` is the same file). */
export const BUSYBOX_STATIC = '/bin/busybox';

/** A statically linked busybox and the applets it was built with. */
export interface Busybox {
  hostPath: string;
  size: number;
  applets: string[];
}

/**
 * Finds the static busybox (`$METALAYER_E2E_BUSYBOX` or {@link BUSYBOX_STATIC}) and
 * lists its applets. Throws when it is missing or dynamically linked: the
 * initramfs and the test root carry no libc for it.
 */
export function findBusybox(path = process.env.METALAYER_E2E_BUSYBOX ?? BUSYBOX_STATIC): Busybox {
  if (!existsSync(path)) throw new Error(`busybox not found at ${path} (install busybox-static)`);
  const hostPath = realpathSync(path);
  if (lddDependencies(hostPath).length > 0) throw new Error(`${hostPath} is dynamically linked; install busybox-static`);
  const r = spawnSync(hostPath, ['--list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${hostPath} --list failed: ${r.stderr}`);
  const applets = r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z0-9_.[-]+$/.test(s) && s !== 'busybox');
  return { hostPath, size: statSync(hostPath).size, applets };
}

/**
 * Tree entries for busybox at `binPath` plus a symlink per applet in `binDir`
 * (relative links, so they resolve inside any root they are unpacked into).
 */
export function busyboxEntries(busybox: Busybox, binPath: string, binDir = posix.dirname(binPath)): TreeEntry[] {
  const entries: TreeEntry[] = [hostFile(binPath, busybox.hostPath, busybox.size, 0o755)];
  for (const applet of busybox.applets) {
    const link = `${binDir}/${applet}`;
    if (link === binPath) continue;
    entries.push(symlink(link, posix.relative(binDir, binPath)));
  }
  return entries;
}
