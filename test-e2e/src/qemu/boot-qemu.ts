import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { which } from '@metalayer/test-utils';
import { artifactsDir } from '../paths';
import { chooseAccel } from './accel';
import { FIRMWARE } from './firmware';
import { qemuArgs, type QemuBoot, type QemuDisk } from './qemu-args';
import { ConsoleLines, markOf, type BootMark } from './serial-console';
import { acquireVmSlot } from './vm-slots';

/** What the booted root prints when the whole chain worked. */
export const DEFAULT_SUCCESS = /MARK in-composefs-root\b/;
/** Lines that end a boot as failed (checked after the success pattern). */
export const DEFAULT_FAILURE = /MARK FAIL\b|Kernel panic|Attempted to kill init|end Kernel panic/;
/** QEMU stderr lines after which the guest can only hang (a broken nested KVM, for instance). */
export const QEMU_FATAL_STDERR = /KVM internal error|emulation failure|Assertion .* failed/;
/** Serial lines printed (and put in assertion messages) when a boot fails. */
export const FAILURE_TAIL_LINES = 40;

/** Options of {@link bootQemu}. */
export interface BootQemuOptions {
  /** Names the serial log artefact: `test-e2e/artifacts/<name>.log`. */
  name: string;
  boot: QemuBoot;
  disks?: readonly QemuDisk[];
  /** `auto` (default): TCG, or KVM when `METALAYER_E2E_KVM=1` and a probe boot works. */
  accel?: 'auto' | 'tcg' | 'kvm';
  memoryMiB?: number;
  cpus?: number;
  /** Discard disk writes (default true). */
  snapshot?: boolean;
  /** One overall limit from spawn to the deciding line (default `METALAYER_E2E_BOOT_TIMEOUT_MS` or 90 s). */
  timeoutMs?: number;
  /** A line matching this ends the boot with `ok: true` (default {@link DEFAULT_SUCCESS}). */
  success?: RegExp;
  /** A line matching this (and not `success`) ends the boot with `ok: false` (default {@link DEFAULT_FAILURE}). */
  failure?: RegExp;
  /** After the deciding line, how long to keep reading while the guest powers off (default 3000 ms). */
  graceMs?: number;
  extraArgs?: readonly string[];
  signal?: AbortSignal;
  /** Do not print the serial tail when the boot fails (for boots expected to fail). */
  quiet?: boolean;
}

/** Outcome of one boot. */
export interface BootResult {
  ok: boolean;
  /** `marker`, `failure: <line>`, `timeout`, `qemu exited (…) before a decision`, `spawn error: …`, `aborted`. */
  reason: string;
  /** Host ms from spawn to the deciding line (or to the end). */
  wallMs: number;
  /** Every `MARK` line, with its host time. */
  marks: BootMark[];
  /** The whole cleaned serial log (QEMU's stderr prefixed `[qemu-stderr]`). */
  log: string[];
  /** Where the log was written. */
  logPath: string;
  accel: 'tcg' | 'kvm';
  /** QEMU's pid (gone by the time the result is returned). */
  pid: number | undefined;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

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

/** The last `n` log lines, for failure messages. */
export function bootTail(result: Pick<BootResult, 'log'>, n = FAILURE_TAIL_LINES): string {
  return result.log.slice(-n).join('\n');
}

/** A one-paragraph description of a failed boot: reason, timing, log path and serial tail. */
export function describeBoot(result: BootResult, name = ''): string {
  return `boot ${name} ${result.ok ? 'ok' : 'FAILED'}: ${result.reason} after ${result.wallMs} ms (${result.accel}); log ${result.logPath}\n--- last ${FAILURE_TAIL_LINES} serial lines ---\n${bootTail(result)}`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}

/**
 * Boots QEMU (no shell, own process group, killed with the parent via
 * `setpriv --pdeathsig`), watches the serial console and decides the outcome
 * from the first line matching `success` or `failure`, QEMU exiting, or the
 * timeout. QEMU is always killed before this returns; the full log is written
 * to `test-e2e/artifacts/<name>.log`. At most `METALAYER_E2E_JOBS` VMs run at once.
 */
export async function bootQemu(options: BootQemuOptions): Promise<BootResult> {
  // Decided before taking a VM slot: the KVM probe itself needs one.
  const accel = options.accel === undefined || options.accel === 'auto' ? await chooseAccel() : options.accel;
  const release = await acquireVmSlot(options.signal);
  const runDir = mkdtempSync(join(tmpdir(), 'metalayer-qemu-'));
  mkdirSync(artifactsDir, { recursive: true });
  const logPath = join(artifactsDir, `${safeName(options.name)}.log`);
  const logFile = createWriteStream(logPath);
  try {
    let varsPath: string | undefined;
    if (options.boot.kind === 'uefi' && (options.boot.firmware ?? 'pflash') === 'pflash') {
      varsPath = join(runDir, 'OVMF_VARS.fd');
      copyFileSync(FIRMWARE.ovmfVars, varsPath);
    }
    const args = qemuArgs({
      boot: options.boot,
      disks: options.disks ?? [],
      accel,
      memoryMiB: options.memoryMiB ?? 1024,
      cpus: options.cpus ?? 1,
      snapshot: options.snapshot ?? true,
      varsPath,
      extraArgs: options.extraArgs,
    });
    const qemu = which('qemu-system-x86_64') ?? 'qemu-system-x86_64';
    const setpriv = which('setpriv');
    const argv = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', qemu, ...args] : [qemu, ...args];
    logFile.write(`# ${argv.map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
    const result = await watchQemu(argv, options, logFile);
    const full: BootResult = { ...result, logPath, accel };
    logFile.write(`# result: ${full.ok ? 'ok' : 'FAILED'} (${full.reason}) after ${full.wallMs} ms\n`);
    if (!full.ok && !options.quiet) process.stderr.write(`${describeBoot(full, options.name)}\n`);
    return full;
  } finally {
    await new Promise<void>((resolve) => logFile.end(resolve));
    rmSync(runDir, { recursive: true, force: true });
    await release();
  }
}

type WatchResult = Omit<BootResult, 'logPath' | 'accel'>;

function watchQemu(argv: string[], options: BootQemuOptions, logFile: NodeJS.WritableStream): Promise<WatchResult> {
  const success = options.success ?? DEFAULT_SUCCESS;
  const failure = options.failure ?? DEFAULT_FAILURE;
  const timeoutMs = options.timeoutMs ?? Number(process.env.METALAYER_E2E_BOOT_TIMEOUT_MS ?? 90_000);
  const graceMs = options.graceMs ?? 3000;
  const start = performance.now();
  const elapsed = (): number => Math.round(performance.now() - start);
  const log: string[] = [];
  const marks: BootMark[] = [];
  let decision: { ok: boolean; reason: string; wallMs: number } | undefined;

  return new Promise<WatchResult>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let graceTimer: NodeJS.Timeout | undefined;
    const decide = (ok: boolean, reason: string, grace: number): void => {
      if (decision) return;
      decision = { ok, reason, wallMs: elapsed() };
      clearTimeout(overall);
      graceTimer = setTimeout(() => killGroup(child), grace);
    };
    const onLine = (line: string): void => {
      const ms = elapsed();
      log.push(line);
      logFile.write(`[${String(ms).padStart(6)}ms] ${line}\n`);
      const mark = line.startsWith('[qemu-stderr]') ? undefined : markOf(line);
      if (mark !== undefined) marks.push({ ms, text: mark });
      if (decision) return;
      if (line.startsWith('[qemu-stderr]')) {
        if (QEMU_FATAL_STDERR.test(line)) decide(false, `failure: ${line.trim()}`, 0);
        return;
      }
      if (success.test(line)) decide(true, 'marker', graceMs);
      else if (failure.test(line)) decide(false, `failure: ${line.trim()}`, graceMs);
    };
    const out = new ConsoleLines(onLine);
    const err = new ConsoleLines((line) => onLine(`[qemu-stderr] ${line}`));
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));
    const overall = setTimeout(() => decide(false, 'timeout', 0), timeoutMs);
    const onAbort = (): void => decide(false, 'aborted', 0);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    const finish = (exit: WatchResult['exit']): void => {
      if (finished) return;
      finished = true;
      out.flush();
      err.flush();
      clearTimeout(overall);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
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
