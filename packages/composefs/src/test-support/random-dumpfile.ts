// Test support: pseudo-random composefs dumpfiles from a seed, covering every
// file type, hard links (also forward and chained), whiteouts, shared and
// escaped xattrs, long names and targets, extended-inode values and huge
// external files. Used for differential tests against C mkcomposefs.
import { escapeDumpfileField } from '../dumpfile/escape';

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const XATTR_NAMES = [
  'security.selinux',
  'user.a',
  'user.b',
  'user.overlay.opaque',
  'trusted.overlay.opaque',
  'trusted.overlay.redirect',
  'trusted.overlay.overlay.x',
  'trusted.foo',
  'security.capability',
  'system.posix_acl_access',
  'user.k=eq',
];

/** A dumpfile (text) and the mkcomposefs version flags to build it with. */
export interface RandomDumpfile {
  text: string;
  args: string[];
  options: { minVersion?: number; maxVersion?: number };
}

export function randomDumpfile(seed: number): RandomDumpfile {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => rnd() < p;
  const bytes = (n: number, avoid = '') => {
    let s = '';
    for (let i = 0; i < n; i++) {
      let c = int(256);
      while (avoid.includes(String.fromCharCode(c))) c = int(256);
      s += String.fromCharCode(c);
    }
    return s;
  };
  const hex = (n: number) => Array.from({ length: n }, () => int(16).toString(16)).join('');
  const mtimes = ['1700000000.0', '1700000000.5', '0.0', '-1.0', '8589934592.999999999', '1700000001.0'];
  const ids = [0, 0, 0, 1, 65535, 65536, 4294967294];
  const values = [bytes(8), 'system_u:object_r:usr_t:s0\0', '', 'x', bytes(300), bytes(1000)];
  const xattrs = () => {
    const n = chance(0.5) ? 0 : 1 + int(6);
    let out = '';
    for (let i = 0; i < n; i++) {
      out += ` ${escapeDumpfileField(pick(XATTR_NAMES), { equal: true })}=${escapeDumpfileField(pick(values), { equal: true })}`;
    }
    return out;
  };
  const meta = () => `${pick(ids)} ${pick(ids)}`;
  const lines: string[] = [];
  const dirs: string[] = ['/'];
  const leaves: string[] = [];
  const used = new Map<string, Set<string>>([['/', new Set()]]);
  lines.push(`/ 0 ${pick(['40755', '40555', '40700'])} 2 ${meta()} 0 ${pick(mtimes)} - - -${xattrs()}`);
  const count = chance(0.1) ? 600 : 1 + int(80);
  const links: string[] = [];
  for (let i = 0; i < count; i++) {
    const parent = chance(0.4) ? '/' : pick(dirs);
    let name =
      chance(0.1) && parent === '/' ? int(256).toString(16).padStart(2, '0') : bytes(1 + (chance(0.1) ? int(255) : int(20)), '/\0');
    if (name === '.' || name === '..' || used.get(parent)!.has(name)) continue;
    used.get(parent)!.add(name);
    const path = `${parent === '/' ? '' : parent}/${name}`;
    const p = escapeDumpfileField(path);
    const mtime = pick(mtimes);
    const nlink = pick([1, 1, 2, 3, 65535, 65536]);
    const kind = int(12);
    if (kind < 2) {
      dirs.push(path);
      used.set(path, new Set());
      lines.push(`${p} 0 ${pick(['40755', '40700', '41777'])} 2 ${meta()} 0 ${mtime} - - -${xattrs()}`);
      continue;
    }
    if (kind < 3 && leaves.length > 0) {
      links.push(`${p} 0 @100644 1 0 0 0 0.0 ${escapeDumpfileField(pick(leaves), { loneDash: true })} - -`);
      continue;
    }
    leaves.push(path);
    if (kind < 5) {
      const size = pick([0, 1, 64, 2047, 2048, 2049, 4095, 4096, 4097, 5000, int(5001)]);
      const content = size ? escapeDumpfileField(bytes(size), { loneDash: true }) : '-';
      lines.push(`${p} ${size} ${pick(['100644', '100755', '104755'])} ${nlink} ${meta()} 0 ${mtime} - ${content} -${xattrs()}`);
    } else if (kind < 7) {
      const size = pick([1, 4096, 123456, 2 ** 32 - 1, 2 ** 32 + 7, 2 ** 43 + 1, 2 ** 50]);
      const digest = hex(64);
      const payload = chance(0.8) ? `${digest.slice(0, 2)}/${digest.slice(2)}` : '-';
      lines.push(`${p} ${size} 100644 ${nlink} ${meta()} 0 ${mtime} ${payload} - ${chance(0.8) ? digest : '-'}${xattrs()}`);
    } else if (kind < 8) {
      const target = bytes(1 + (chance(0.2) ? int(4095) : int(40)), '\0');
      lines.push(
        `${p} ${target.length} 120777 ${nlink} ${meta()} 0 ${mtime} ${escapeDumpfileField(target, { loneDash: true })} - -${xattrs()}`,
      );
    } else if (kind < 10) {
      const rdev = chance(0.4) ? 0 : int(2 ** 32);
      lines.push(`${p} 0 ${pick(['20644', '20600', '60644', '60600'])} ${nlink} ${meta()} ${rdev} ${mtime} - - -${xattrs()}`);
    } else {
      lines.push(`${p} 0 ${pick(['10644', '140755'])} ${nlink} ${meta()} 0 ${mtime} - - -${xattrs()}`);
    }
  }
  const args = pick([[], ['--max-version=0'], ['--min-version=1'], ['--min-version=1', '--max-version=1']]);
  const options: RandomDumpfile['options'] = {};
  for (const arg of args) {
    const [flag, value] = arg.split('=');
    options[flag === '--min-version' ? 'minVersion' : 'maxVersion'] = Number(value);
  }
  return { text: `${[...lines, ...links].join('\n')}\n`, args, options };
}
