/**
 * Terminal control sequences firmware and boot loaders write to the serial port
 * (SeaBIOS/OVMF clear the screen, `ESC c` resets, `ESC[?7l` disables wrapping):
 * CSI sequences (ECMA-48: parameter bytes 0x30–0x3F, intermediates, a final
 * byte), two-byte escapes and `ESC c`.
 */
const ANSI = /\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_]|c)/g;
const OTHER_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Removes ANSI escapes, carriage returns and other control bytes from one console line. */
export function cleanConsoleLine(raw: string): string {
  return raw.replace(ANSI, '').replace(/\r/g, '').replace(OTHER_CONTROL, '');
}

/** A `MARK …` line seen on the console, with the host time since QEMU was spawned. */
export interface BootMark {
  ms: number;
  /** The text after `MARK `, e.g. `in-composefs-root marker=…`. */
  text: string;
}

/** The prefix every harness-visible line carries (init scripts print `MARK <what> …`). */
export const MARK_PREFIX = 'MARK ';

/**
 * Splits a byte stream into cleaned lines. Kernel output and init output can
 * interleave on the same port, so a MARK is taken wherever it starts in a line.
 */
export class ConsoleLines {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.onLine(cleanConsoleLine(this.pending.slice(0, nl)));
      this.pending = this.pending.slice(nl + 1);
    }
  }

  /** Emits a final unterminated line, if any. */
  flush(): void {
    if (this.pending) this.onLine(cleanConsoleLine(this.pending));
    this.pending = '';
  }
}

/** The MARK text in `line`, or undefined. */
export function markOf(line: string): string | undefined {
  const at = line.indexOf(MARK_PREFIX);
  return at < 0 ? undefined : line.slice(at + MARK_PREFIX.length).trim();
}

/**
 * The value of `key=` in the first mark starting with `name` (e.g.
 * `markValue(marks, 'in-composefs-root', 'marker')`), or the rest of that mark
 * when `key` is omitted. Values run to the end of the mark for the last key.
 */
export function markValue(marks: readonly BootMark[], name: string, key?: string): string | undefined {
  const mark = marks.find((m) => m.text === name || m.text.startsWith(`${name} `) || m.text.startsWith(`${name}=`));
  if (!mark) return undefined;
  const rest = mark.text.slice(name.length).replace(/^[ =]/, '');
  if (key === undefined) return rest;
  const m = new RegExp(`(?:^| )${key}=(.*?)(?= [A-Za-z0-9_.-]+=|$)`).exec(rest);
  return m?.[1];
}
