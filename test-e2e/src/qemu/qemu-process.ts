import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ConsoleLines, markOf, type BootMark } from './serial-console';

/** QEMU stderr lines after which the guest can only hang (a broken nested KVM, for instance). */
export const QEMU_FATAL_STDERR = /KVM internal error|emulation failure|Assertion .* failed/;
const STDERR_PREFIX = '[qemu-stderr]';

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

// A test runner that exits (or is interrupted) must not leave VMs behind.
process.once('exit', () => running.forEach(killGroup));
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    running.forEach(killGroup);
    process.kill(process.pid, sig);
  });
}

/** How {@link watchQemu} decides. */
export interface WatchSettings {
  success: RegExp;
  failure: RegExp;
  timeoutMs: number;
  /** After a success or failure line: how long the guest may take to power off before it is killed. */
  graceMs: number;
  signal?: AbortSignal;
  /** Receives every line, prefixed with the host time. */
  logFile: NodeJS.WritableStream;
  /** Called for every MARK as it arrives. */
  onMark?: (mark: BootMark) => void;
}

/** What one QEMU run showed. */
export interface WatchResult {
  ok: boolean;
  reason: string;
  wallMs: number;
  marks: BootMark[];
  log: string[];
  pid: number | undefined;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/**
 * Runs `argv` (no shell, its own process group) and reads its console until a
 * decision: a `success` or `failure` line (then `graceMs` to power off), a fatal
 * QEMU stderr line, the timeout, an abort, or QEMU exiting. Resolves only once
 * the process is gone; it is SIGKILLed (whole group) if it does not exit itself.
 */
export function watchQemu(argv: readonly string[], settings: WatchSettings): Promise<WatchResult> {
  const start = performance.now();
  const elapsed = (): number => Math.round(performance.now() - start);
  const log: string[] = [];
  const marks: BootMark[] = [];
  let decision: { ok: boolean; reason: string; wallMs: number } | undefined;

  return new Promise<WatchResult>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let overall: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const decide = (ok: boolean, reason: string, grace: number): void => {
      if (decision) return;
      decision = { ok, reason, wallMs: elapsed() };
      clearTimeout(overall);
      graceTimer = setTimeout(() => killGroup(child), grace);
    };
    overall = setTimeout(() => decide(false, 'timeout', 0), settings.timeoutMs);
    const onLine = (line: string): void => {
      const ms = elapsed();
      log.push(line);
      settings.logFile.write(`[${String(ms).padStart(6)}ms] ${line}\n`);
      if (line.startsWith(STDERR_PREFIX)) {
        if (QEMU_FATAL_STDERR.test(line)) decide(false, `failure: ${line.trim()}`, 0);
        return;
      }
      const mark = markOf(line);
      if (mark !== undefined) {
        marks.push({ ms, text: mark });
        settings.onMark?.({ ms, text: mark });
      }
      if (settings.success.test(line)) decide(true, 'marker', settings.graceMs);
      else if (settings.failure.test(line)) decide(false, `failure: ${line.trim()}`, settings.graceMs);
    };
    const out = new ConsoleLines(onLine);
    const err = new ConsoleLines((line) => onLine(`${STDERR_PREFIX} ${line}`));
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));
    const onAbort = (): void => decide(false, 'aborted', 0);
    settings.signal?.addEventListener('abort', onAbort, { once: true });
    if (settings.signal?.aborted) onAbort();
    let finished = false;
    const finish = (exit: WatchResult['exit']): void => {
      if (finished) return;
      finished = true;
      out.flush();
      err.flush();
      clearTimeout(overall);
      clearTimeout(graceTimer);
      settings.signal?.removeEventListener('abort', onAbort);
      running.delete(child);
      decide(false, `qemu exited (code ${exit?.code}, signal ${exit?.signal}) before a decision`, 0);
      resolve({ ...decision!, marks, log, exit, pid: child.pid });
    };
    child.on('error', (error) => {
      decide(false, `spawn error: ${error.message}`, 0);
      // A child that never started emits no 'close'.
      if (child.pid === undefined) finish(undefined);
    });
    child.on('close', (code, signal) => finish({ code, signal }));
  });
}
