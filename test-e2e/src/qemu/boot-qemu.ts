import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '@metalayer/test-utils';
import { artifactsDir } from '../paths';
import { chooseAccel } from './accel';
import { FIRMWARE } from './firmware';
import { qemuArgs, type QemuBoot, type QemuDisk } from './qemu-args';
import { watchQemu } from './qemu-process';
import type { BootMark } from './serial-console';
import { acquireVmSlot } from './vm-slots';

/** What the booted root prints when the whole chain worked. */
export const DEFAULT_SUCCESS = /MARK in-composefs-root\b/;
/** Lines that end a boot as failed (checked after the success pattern). */
export const DEFAULT_FAILURE = /MARK FAIL\b|Kernel panic|Attempted to kill init|end Kernel panic/;
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
  /** Aborting ends the boot at once (reason `aborted`). */
  signal?: AbortSignal;
  /** Called for every MARK line as it arrives (e.g. to abort or to show progress). */
  onMark?: (mark: BootMark) => void;
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
    const result = await watchQemu(argv, {
      success: options.success ?? DEFAULT_SUCCESS,
      failure: options.failure ?? DEFAULT_FAILURE,
      timeoutMs: options.timeoutMs ?? Number(process.env.METALAYER_E2E_BOOT_TIMEOUT_MS ?? 90_000),
      graceMs: options.graceMs ?? 3000,
      signal: options.signal,
      onMark: options.onMark,
      logFile,
    });
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
