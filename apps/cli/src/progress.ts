import type { Writable } from 'node:stream';
import type { Progress } from './command';

const noop: Progress = { update() {}, finish() {} };

/** Minimum interval between redraws, so a fast loop costs nothing. */
const REDRAW_MS = 100;

function human(n: number, unit: 'bytes' | 'items'): string {
  if (unit === 'items') return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * A single-line progress bar on a TTY stream; a no-op elsewhere, so piped
 * output and `--json` stay clean.
 */
export function createProgress(
  stream: Writable,
  enabled: boolean,
  label: string,
  total: number | undefined,
  unit: 'bytes' | 'items',
): Progress {
  if (!enabled) return noop;
  let last = 0;
  const started = Date.now();
  const draw = (done: number, detail?: string) => {
    const width = 24;
    let bar = '';
    if (total && total > 0) {
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% `;
    }
    const rate = human(done / Math.max(0.001, (Date.now() - started) / 1000), unit);
    const amount = total ? `${human(done, unit)}/${human(total, unit)}` : human(done, unit);
    stream.write(`\r\x1b[2K${label} ${bar}${amount} (${rate}/s)${detail ? ` ${detail}` : ''}`);
  };
  return {
    update(done, detail) {
      const now = Date.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      draw(done, detail);
    },
    finish(summary) {
      stream.write(`\r\x1b[2K${summary ? `${label} ${summary}\n` : ''}`);
    },
  };
}
