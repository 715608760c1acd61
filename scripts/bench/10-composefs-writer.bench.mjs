// composefs image writer: a generated 100k-entry tree, dumpfile → image, against C mkcomposefs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDirectory,
  createRegularFile,
  createSymlink,
  formatDumpfile,
  insertPath,
  linkPath,
} from '../../packages/composefs/dist/index.js';
import { best, fmtMiB, fmtMs, printTable, timedCommand, which } from './lib.mjs';

export const title = 'composefs writer: 100k-entry tree, dumpfile → EROFS image';

const DIRS = 1000;
const PER_DIR = 99; // /usr + 1000 directories + 99 000 entries in them = 100 001 entries
const RUNS = 3;

function digestOf(seed) {
  return new Uint8Array(createHash('sha256').update(seed).digest());
}

/** A deterministic rootfs-like tree: inline and external files, symlinks, hard links, SELinux labels. */
export function generateTree() {
  const label = (type) => new TextEncoder().encode(`system_u:object_r:${type}:s0\0`);
  const stat = (extra = {}) => ({ mode: 0o644, mtimeSec: 1_700_000_000n, xattrs: [['security.selinux', label('usr_t')]], ...extra });
  const root = createDirectory({ mode: 0o755, mtimeSec: 1_700_000_000n });
  insertPath(root, '/usr', createDirectory(stat({ mode: 0o755 })));
  let entries = 1;
  for (let d = 0; d < DIRS; d++) {
    const dir = `/usr/pkg-${String(d).padStart(4, '0')}`;
    insertPath(root, dir, createDirectory(stat({ mode: 0o755 })));
    entries++;
    for (let f = 0; f < PER_DIR; f++) {
      const name = `${dir}/file-${String(f).padStart(3, '0')}-${'x'.repeat(f % 40)}`;
      const kind = (d * PER_DIR + f) % 20;
      if (f === PER_DIR - 1) linkPath(root, `${dir}/file-000-`, name);
      else if (kind < 6) insertPath(root, name, createRegularFile({ content: digestOf(name).subarray(0, 1 + (f % 32)), stat: stat() }));
      else if (kind < 17) {
        const digest = digestOf(name);
        const hex = Buffer.from(digest).toString('hex');
        insertPath(
          root,
          name,
          createRegularFile({
            size: 1000 + f * 997,
            payload: `${hex.slice(0, 2)}/${hex.slice(2)}`,
            digest,
            stat: stat({ mtimeSec: 1_700_000_000n + BigInt(f % 3) }),
          }),
        );
      } else
        insertPath(
          root,
          name,
          createSymlink(`../pkg-${String((d + 1) % DIRS).padStart(4, '0')}/file-001-x`, { stat: stat({ mode: 0o777 }) }),
        );
      entries++;
    }
  }
  return { root, entries };
}

export async function run({ scratch, benchDir }) {
  const { root, entries } = generateTree();
  const dumpfile = join(scratch, 'tree.dump');
  writeFileSync(dumpfile, formatDumpfile(root));
  const ours = join(scratch, 'ours.cfs');
  const child = join(benchDir, 'composefs-writer-child.mjs');
  let bestRun;
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [child, dumpfile, ours], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`writer child failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout);
    if (!bestRun || result.totalMs < bestRun.totalMs) bestRun = result;
  }
  const mkcomposefs = which('mkcomposefs');
  let c;
  if (mkcomposefs) {
    const theirs = join(scratch, 'c.cfs');
    c = await best(RUNS, () => timedCommand(mkcomposefs, ['--from-file', dumpfile, theirs]));
    c.sha256 = createHash('sha256').update(readFileSync(theirs)).digest('hex');
    // GNU time reports the child's peak RSS (KiB) on stderr with -f %M.
    const gnuTime = which('time') ?? (existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined);
    if (gnuTime) {
      const r = spawnSync(gnuTime, ['-f', '%M', mkcomposefs, '--from-file', dumpfile, theirs], { encoding: 'utf8' });
      const kib = Number(r.stderr.trim().split('\n').pop());
      if (r.status === 0 && Number.isFinite(kib)) c.maxRssBytes = kib * 1024;
    }
  }
  const ratio = c ? `${(bestRun.totalMs / c.ms).toFixed(2)}× C time` : 'skipped';
  printTable(
    `${entries} entries, dumpfile ${fmtMiB(readFileSync(dumpfile).length)}, image ${fmtMiB(bestRun.size)} (best of ${RUNS})`,
    ['measure', 'metalayer', 'C mkcomposefs', 'ratio'],
    [
      ['parse dumpfile', fmtMs(bestRun.parseMs), '', ''],
      ['tree → image file', fmtMs(bestRun.writeMs), '', ''],
      ['dumpfile → image (total)', fmtMs(bestRun.totalMs), c ? fmtMs(c.ms) : 'not on PATH', ratio],
      ['peak RSS', fmtMiB(bestRun.maxRssBytes), c?.maxRssBytes ? fmtMiB(c.maxRssBytes) : '', ''],
      ['identical image bytes', '', c ? String(c.sha256 === bestRun.sha256) : 'n/a', ''],
    ],
  );
  if (!c) console.log('C mkcomposefs is not on PATH (it is not packaged in Debian 12): the ratio column is skipped.');
}
