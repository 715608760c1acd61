// fs-verity throughput on a 256 MiB file, against openssl dgst on the same bytes in the same run.
import { createCipheriv } from 'node:crypto';
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fsverityDigestFile, toHex } from '../../packages/composefs/dist/index.js';
import { best, fmtMs, printTable, timedCommand, which } from './lib.mjs';

export const title = 'fs-verity digest of a 256 MiB file vs openssl dgst';

const SIZE = 256 * 2 ** 20;
const RUNS = 3;

function writeRandomFile(path) {
  // AES-CTR keystream: fast, deterministic, incompressible.
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  const fd = openSync(path, 'w');
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < SIZE; i += zeros.length) writeSync(fd, cipher.update(zeros));
  closeSync(fd);
}

export async function run({ scratch }) {
  const file = join(scratch, 'random-256m');
  writeRandomFile(file);
  const openssl = which('openssl');
  const fsverity = which('fsverity');
  const rows = [];
  for (const algorithm of ['sha256', 'sha512']) {
    const ours = await best(RUNS, () => fsverityDigestFile(file, algorithm));
    const mibps = (ms) => `${(SIZE / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;
    let ratio = 'skipped (no openssl)';
    let base = '';
    if (openssl) {
      const o = await best(RUNS, () => timedCommand(openssl, ['dgst', `-${algorithm}`, file]));
      base = `${fmtMs(o.ms)} (${mibps(o.ms)})`;
      ratio = `${((o.ms / ours.ms) * 100).toFixed(0)}% of openssl`;
    }
    let check = 'n/a';
    if (fsverity) {
      const args = ['digest', '--compact', ...(algorithm === 'sha512' ? ['--hash-alg=sha512'] : []), file];
      check = String(timedCommand(fsverity, args).stdout.toString().trim() === toHex(ours.result));
    }
    rows.push([`fs-verity ${algorithm}`, `${fmtMs(ours.ms)} (${mibps(ours.ms)})`, `openssl dgst -${algorithm}: ${base}`, ratio, check]);
  }
  printTable(
    `256 MiB, best of ${RUNS}, throughput ratio = openssl time / our time`,
    ['measure', 'metalayer', 'baseline', 'ratio', '= fsverity digest'],
    rows,
  );
}
