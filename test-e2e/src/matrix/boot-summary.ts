import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootResult } from '../qemu/boot-qemu';
import { markValue } from '../qemu/serial-console';

/** One boot of the matrix, as the summary lists it. */
export interface BootSummaryRow {
  boot: string;
  strategy: string;
  payload: string;
  path: string;
  /** What the test expected and whether the boot showed it. */
  outcome: string;
  ok: boolean;
  /** Host ms from QEMU spawn to the deciding console line. */
  wallMs: number;
  /** The image the guest measured (`fsverity measure images/<hex>`), or the digest it looked for. */
  digest: string;
  log: string;
}

/** The digest a boot reports: what the initramfs measured, else the karg it looked for. */
export function bootDigest(result: BootResult): string {
  return markValue(result.marks, 'image-measure') ?? `(not mounted; karg ${markValue(result.marks, 'composefs-karg', 'digest') ?? 'none'})`;
}

/** Collects every boot of a test file and writes the table (console + artefact). */
export class BootSummary {
  readonly rows: BootSummaryRow[] = [];

  add(row: BootSummaryRow): void {
    this.rows.push(row);
  }

  /** A markdown table, boots in the order they were declared (`order`), else as they finished. */
  format(order: readonly string[] = []): string {
    const rank = (b: string): number => (order.includes(b) ? order.indexOf(b) : order.length);
    const rows = [...this.rows].sort((a, b) => rank(a.boot) - rank(b.boot));
    const lines = [
      '| boot | strategy | payload | path | outcome | time | digest mounted |',
      '|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.boot} | ${r.strategy} | ${r.payload} | ${r.path} | ${r.ok ? '' : 'FAILED: '}${r.outcome} | ${(r.wallMs / 1000).toFixed(1)} s | \`${r.digest}\` |`,
      ),
    ];
    return lines.join('\n');
  }

  /** Writes `<dir>/<name>.md` and `.json`; returns the markdown path. */
  write(dir: string, name: string, order: readonly string[] = []): string {
    mkdirSync(dir, { recursive: true });
    const md = join(dir, `${name}.md`);
    writeFileSync(md, `${this.format(order)}\n`);
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(this.rows, null, 2)}\n`);
    return md;
  }
}
