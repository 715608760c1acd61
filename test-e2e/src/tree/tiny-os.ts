import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../paths';
import { busyboxEntries, findBusybox } from './busybox';
import { dir, file, mergeLayers, symlink, whiteout, type Tree, type TreeEntry } from './fs-tree';

/** Content of `/etc/marker` in the tiny OS: small, so composefs stores it inline. */
export const SMALL_MARKER = 'metalayer-e2e-small';

/**
 * Content of `/etc/marker-big` (one line, longer than composefs' 64-byte inline limit), so
 * it is an external object: reading it in the guest goes through overlayfs'
 * fs-verity check. The top layer writes it; the layer below holds a stale
 * version, so a wrongly merged image shows up as the wrong marker.
 */
export const BIG_MARKER = 'metalayer-e2e-big-marker:object-read-through-overlayfs-with-verity-require:layer-3-of-3';
const STALE_BIG_MARKER = 'metalayer-e2e-big-marker:stale-copy-from-layer-2-that-layer-3-replaces:should-never-boot';

/** The tiny OS: its layers (bottom first), the merged tree, and the values the guest must report. */
export interface TinyOs {
  layers: Tree[];
  /** Layer names, for OCI history and logs. */
  layerNames: string[];
  merged: TreeEntry[];
  smallMarker: string;
  bigMarker: string;
}

const OS_RELEASE = ['NAME="metalayer e2e"', 'ID=metalayer-e2e', 'PRETTY_NAME="metalayer e2e test OS"', 'VERSION_ID=1', ''].join('\n');

/**
 * A bootable root made only from host packages (busybox-static) and text:
 * - layer 1 "base": merged-/usr layout (`/bin` → `usr/bin`, …), busybox with its
 *   applets, and every mount point the initramfs and switch_root need
 *   (`/proc /sys /dev /run /tmp /sysroot /boot /var …`);
 * - layer 2 "os": `/usr/sbin/init`, os-release, the markers (the big one stale),
 *   and a file that layer 3 deletes;
 * - layer 3 "update": the real big marker and a whiteout of `/etc/obsolete`.
 */
export function tinyOs(): TinyOs {
  const busybox = findBusybox();
  const base: TreeEntry[] = [
    dir('/'),
    ...['/usr', '/usr/bin', '/usr/sbin', '/usr/lib', '/etc', '/var', '/var/tmp', '/home', '/root', '/mnt', '/opt', '/srv'].map((p) =>
      dir(p, p === '/root' ? 0o700 : 0o755),
    ),
    ...['/proc', '/sys', '/dev', '/run', '/sysroot', '/boot'].map((p) => dir(p, 0o755)),
    dir('/tmp', 0o1777),
    symlink('/bin', 'usr/bin'),
    symlink('/sbin', 'usr/sbin'),
    symlink('/lib', 'usr/lib'),
    ...busyboxEntries(busybox, '/usr/bin/busybox'),
  ];
  const os: TreeEntry[] = [
    file('/usr/sbin/init', readFileSync(join(assetsDir, 'rootfs-init.sh'), 'utf8'), 0o755),
    file('/usr/lib/os-release', OS_RELEASE),
    symlink('/etc/os-release', '../usr/lib/os-release'),
    file('/etc/hostname', 'metalayer-e2e\n'),
    file('/etc/marker', SMALL_MARKER),
    file('/etc/marker-big', STALE_BIG_MARKER),
    file('/etc/obsolete', 'deleted by layer 3\n'),
  ];
  const update: TreeEntry[] = [file('/etc/marker-big', BIG_MARKER), whiteout('/etc/obsolete')];
  const layers = [base, os, update];
  return {
    layers,
    layerNames: ['base', 'os', 'update'],
    merged: mergeLayers(layers),
    smallMarker: SMALL_MARKER,
    bigMarker: BIG_MARKER,
  };
}
