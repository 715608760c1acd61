import type { Directory } from '@metalayer/composefs';
import { RootfsTransformError } from '../errors/rootfs-transform-error';
import { SelinuxPolicyError } from '../errors/selinux-policy-error';
import type { ExternalFiles } from '../merge/external-files';
import { forEachStat } from './each-stat';

/** Where composefs-rs looks for the policy selection (`selabel.rs`). */
export const SELINUX_CONFIG_PATH = '/etc/selinux/config';
/** The xattr composefs-rs strips (no policy) or rewrites (policy) in bootable images. */
export const SELINUX_XATTR = 'security.selinux';

/**
 * The SELinux policy type an image selects, as composefs-rs finds it:
 * `/etc/selinux/config`, first line whose key (before `=`, trimmed,
 * case-insensitive) is `SELINUXTYPE`. Undefined when `/etc/selinux` or the
 * config is absent or names no type. A non-directory `/etc` or
 * `/etc/selinux`, or a config that is not a regular file, is an error there too.
 */
export function findSelinuxPolicy(root: Directory, files: ExternalFiles): string | undefined {
  const etc = root.entries.get('etc');
  if (etc === undefined) return undefined;
  if (etc.kind !== 'directory') throw new RootfsTransformError({ transform: 'bootable', path: '/etc', problem: 'not-a-directory' });
  const selinux = etc.entries.get('selinux');
  if (selinux === undefined) return undefined;
  if (selinux.kind !== 'directory')
    throw new RootfsTransformError({ transform: 'bootable', path: '/etc/selinux', problem: 'not-a-directory' });
  const config = selinux.entries.get('config');
  if (config === undefined) return undefined;
  if (config.kind !== 'regular') {
    throw new SelinuxPolicyError({
      policyType: undefined,
      path: SELINUX_CONFIG_PATH,
      message: `${SELINUX_CONFIG_PATH} is a ${config.kind}, not a regular file (composefs-rs refuses to label such an image)`,
    });
  }
  const content = files.contentOf(config);
  if (content === undefined) {
    throw new SelinuxPolicyError({
      policyType: undefined,
      path: SELINUX_CONFIG_PATH,
      message: `${SELINUX_CONFIG_PATH} could not be read (a hard link to a file elsewhere, or larger than 1 MiB), so its policy type is unknown`,
    });
  }
  const text = new TextDecoder().decode(content);
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    if (line.slice(0, eq).trim().toUpperCase() === 'SELINUXTYPE') return line.slice(eq + 1).trim();
  }
  return undefined;
}

/** How a bootable image with an SELinux policy is handled. */
export type SelinuxHandling =
  /** Refuse with {@link SelinuxPolicyError}: composefs-rs would relabel, and we do not yet. */
  | 'refuse'
  /** Compute without labels (the digest then differs from composefs-rs for this image). */
  | 'ignore';

/**
 * The SELinux step of the bootable transform: without a policy every
 * `security.selinux` xattr goes (composefs-rs `strip_selinux_labels`); with
 * one, composefs-rs relabels, which we refuse unless told to ignore it.
 * Returns the policy type found, if any.
 */
export function applySelinuxRule(root: Directory, files: ExternalFiles, handling: SelinuxHandling): string | undefined {
  const policy = findSelinuxPolicy(root, files);
  if (policy !== undefined && handling === 'refuse') throw new SelinuxPolicyError({ policyType: policy, path: SELINUX_CONFIG_PATH });
  forEachStat(root, (stat) => stat.xattrs.delete(SELINUX_XATTR));
  return policy;
}
