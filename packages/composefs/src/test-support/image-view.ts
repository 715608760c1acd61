// Test support: what a composefs image should present once extracted by
// fsck.erofs or mounted by the kernel, derived from the input tree by the
// rules of composefs-image-format.md §5.1 and §6 (written independently of
// the writer), and the same view read back from a real directory.
import { Buffer } from 'node:buffer';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { analyzeLeaves } from '../tree/hard-links';
import type { Directory } from '../tree/types';
import { walkTree } from '../tree/walk';
import { run } from '@metalayer/test-utils';

/** One entry as seen through a filesystem. */
export interface ViewEntry {
  type: 'dir' | 'reg' | 'lnk' | 'chr' | 'blk' | 'fifo' | 'sock';
  mode: number;
  uid: number;
  gid: number;
  mtime: string;
  nlink?: number;
  size?: number;
  target?: string;
  rdev?: number;
  content?: string;
  /** Xattr name → hex value (names the kernel lists: user., trusted., security.). */
  xattrs?: Record<string, string>;
  /** Entries with the same `inode` value are hard links of one inode. */
  inode?: string;
}

export type View = Map<string, ViewEntry>;

/** Which fields to compare: fsck.erofs 1.5 extraction lacks xattrs, link counts, hard links and external sizes. */
export interface ViewFields {
  xattrs: boolean;
  nlink: boolean;
  externalSize: boolean;
  hardLinks: boolean;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const LISTED = /^(user|trusted|security)\./;

/** The view the image of `root` (format `version`) must present. */
export function expectedView(root: Directory, version: number, fields: ViewFields): View {
  const view: View = new Map();
  const leaves = analyzeLeaves(root);
  const parentsWithWhiteouts = new Set<Directory>();
  for (const [leaf, info] of leaves) if (leaf.kind === 'chardev' && leaf.rdev === 0) parentsWithWhiteouts.add(info.parent);
  for (const { path, inode } of walkTree(root)) {
    const { stat } = inode;
    const xattrs: Record<string, string> = {};
    for (const [name, value] of stat.xattrs) {
      const stored = name.startsWith('trusted.overlay.') ? `trusted.overlay.overlay.${name.slice(16)}` : name;
      if (LISTED.test(stored)) xattrs[stored] = hex(value);
    }
    const entry: ViewEntry = {
      type: 'reg',
      mode: stat.mode,
      uid: stat.uid,
      gid: stat.gid,
      mtime: `${stat.mtimeSec}.${stat.mtimeNsec}`,
    };
    switch (inode.kind) {
      case 'directory': {
        entry.type = 'dir';
        entry.nlink = 2 + [...inode.entries.values()].filter((c) => c.kind === 'directory').length;
        if (inode === root) xattrs['trusted.overlay.opaque'] = hex(Buffer.from('y'));
        if (parentsWithWhiteouts.has(inode)) {
          xattrs['trusted.overlay.overlay.whiteouts'] = '';
          xattrs['user.overlay.whiteouts'] = '';
          if (version >= 1) {
            xattrs['trusted.overlay.overlay.opaque'] = '78';
            xattrs['user.overlay.opaque'] = '78';
          }
        }
        break;
      }
      case 'regular':
        entry.size = inode.size;
        if (inode.size > 0 && inode.content) {
          entry.content = hex(inode.content);
        } else if (inode.size > 0) {
          const digest = inode.digest;
          xattrs['trusted.overlay.metacopy'] = digest
            ? `00${digest.length === 32 ? '24' : '44'}00${digest.length === 32 ? '01' : '02'}${hex(digest)}`
            : '';
          if (inode.payload) xattrs['trusted.overlay.redirect'] = hex(Buffer.from(`/${inode.payload}`, 'latin1'));
          if (!fields.externalSize) delete entry.size;
        }
        break;
      case 'symlink':
        entry.type = 'lnk';
        entry.target = inode.target;
        break;
      case 'chardev':
        if (inode.rdev === 0) {
          entry.size = 0;
          xattrs['trusted.overlay.overlay.whiteout'] = '';
          xattrs['user.overlay.whiteout'] = '';
        } else {
          entry.type = 'chr';
          entry.rdev = inode.rdev;
        }
        break;
      case 'blockdev':
        entry.type = 'blk';
        entry.rdev = inode.rdev;
        break;
      case 'fifo':
        entry.type = 'fifo';
        break;
      case 'socket':
        entry.type = 'sock';
        break;
    }
    if (inode.kind !== 'directory') {
      entry.nlink = inode.nlink;
      entry.inode = leaves.get(inode)!.path;
    }
    if (fields.xattrs) entry.xattrs = xattrs;
    if (!fields.nlink) delete entry.nlink;
    if (!fields.hardLinks) delete entry.inode;
    view.set(path, entry);
  }
  // The root's whiteout table: char 0/0 devices named 00..ff that the tree does not already have.
  for (let i = 0; i < 256; i++) {
    const name = i.toString(16).padStart(2, '0');
    if (root.entries.has(name)) continue;
    const { uid, gid, mtimeSec, mtimeNsec, xattrs } = root.stat;
    const selinux = xattrs.get('security.selinux');
    view.set(`/${name}`, {
      type: 'chr',
      mode: 0o644,
      uid,
      gid,
      mtime: `${mtimeSec}.${mtimeNsec}`,
      rdev: 0,
      ...(fields.nlink ? { nlink: 1 } : {}),
      ...(fields.xattrs ? { xattrs: selinux ? { 'security.selinux': hex(selinux) } : {} } : {}),
      ...(fields.hardLinks ? { inode: `/${name}` } : {}),
    });
  }
  return view;
}

const TYPES: Array<[number, ViewEntry['type']]> = [
  [0o040000, 'dir'],
  [0o100000, 'reg'],
  [0o120000, 'lnk'],
  [0o020000, 'chr'],
  [0o060000, 'blk'],
  [0o010000, 'fifo'],
  [0o140000, 'sock'],
];

function readXattrs(dir: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const text = run('getfattr', ['-R', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', dir], {
    env: { ...process.env, LC_ALL: 'C' },
    allowFailure: true,
  }).stdout.toString('latin1');
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = line.slice(8).replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
      current = {};
      out.set(path.slice(dir.length) || '/', current);
    } else if (current && line.includes('=')) {
      const eq = line.indexOf('=');
      current[line.slice(0, eq)] = line.slice(eq + 1).replace(/^0x/, '');
    }
  }
  return out;
}

/** Reads a directory tree (extracted or mounted) into a view; names and targets stay raw bytes. */
export function readView(dir: string, fields: ViewFields): View {
  const view: View = new Map();
  const xattrs = fields.xattrs ? readXattrs(dir) : undefined;
  const visit = (path: string) => {
    const abs = Buffer.from(dir + (path === '/' ? '' : path), 'latin1');
    const st = lstatSync(abs, { bigint: true });
    const type = TYPES.find(([bits]) => (Number(st.mode) & 0o170000) === bits)![1];
    const ns = st.mtimeNs;
    const sec = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
    const entry: ViewEntry = {
      type,
      mode: Number(st.mode) & 0o7777,
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: `${sec}.${ns - sec * 1_000_000_000n}`,
    };
    if (fields.nlink) entry.nlink = Number(st.nlink);
    if (type === 'reg') {
      entry.size = Number(st.size);
      if (st.size > 0n && st.size <= 5000n) entry.content = readFileSync(abs).toString('hex');
    }
    if (type === 'lnk') entry.target = readlinkSync(abs, { encoding: 'buffer' }).toString('latin1');
    if (type === 'chr' || type === 'blk') entry.rdev = Number(st.rdev);
    if (xattrs) entry.xattrs = xattrs.get(path) ?? {};
    if (fields.hardLinks && type !== 'dir') entry.inode = String(st.ino);
    view.set(path, entry);
    if (type === 'dir') {
      for (const name of readdirSync(abs, { encoding: 'buffer' })) {
        visit(`${path === '/' ? '' : path}/${name.toString('latin1')}`);
      }
    }
  };
  visit('/');
  return view;
}

/**
 * Replaces inode identities by the first path that has them, so two views can
 * be compared whatever numbers the filesystem assigned.
 */
export function normalizeInodes(view: View): View {
  const first = new Map<string, string>();
  const out: View = new Map();
  for (const path of [...view.keys()].sort()) {
    const entry = { ...view.get(path)! };
    if (entry.inode !== undefined) {
      if (!first.has(entry.inode)) first.set(entry.inode, path);
      entry.inode = first.get(entry.inode)!;
    }
    out.set(path, entry);
  }
  return out;
}
