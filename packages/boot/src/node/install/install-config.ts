import { readFile, stat } from 'node:fs/promises';
import { LimitExceededError } from '@metalayer/core';
import { MAX_ENV_FILE_SIZE, parseEnvFile, parseOsRelease, type OsRelease } from '../../os-release/env-file';
import { chaseInRoot } from './chase-in-root';

/** Directories kernel-install reads `install.conf` from, first found wins. */
export const INSTALL_CONF_DIRS = ['/etc/kernel', '/run/kernel', '/usr/local/lib/kernel', '/usr/lib/kernel'] as const;
/** Where the entry token may be configured, first non-empty wins. */
export const ENTRY_TOKEN_FILES = ['/etc/kernel/entry-token', '/usr/lib/kernel/entry-token'] as const;
/** os-release locations, first found wins. */
export const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'] as const;

/** What install-kernel reads from the system (or image) at `root`, as kernel-install does. */
export interface InstallConfig {
  readonly root: string;
  /** 32 lowercase hex digits, from install.conf `MACHINE_ID=`, /etc/machine-info or /etc/machine-id. */
  readonly machineId: string | undefined;
  /** install.conf `BOOT_ROOT=` (a path inside `root`). */
  readonly bootRoot: string | undefined;
  /** install.conf `layout=` / machine-info `KERNEL_INSTALL_LAYOUT=` (informational). */
  readonly layout: string | undefined;
  /** First line of /etc/kernel/entry-token or /usr/lib/kernel/entry-token. */
  readonly entryToken: string | undefined;
  /** /etc/kernel/tries as read (validated when used). */
  readonly tries: string | undefined;
  /** The os-release of `root`. */
  readonly osRelease: OsRelease;
}

/** Reads a small text file inside `root`, or undefined if missing. */
export async function readRootFile(root: string, path: string): Promise<string | undefined> {
  const host = await chaseInRoot(root, path);
  if (host === undefined) return undefined;
  const st = await stat(host);
  if (!st.isFile()) return undefined;
  if (st.size > MAX_ENV_FILE_SIZE)
    throw new LimitExceededError({ limit: 'MAX_ENV_FILE_SIZE', maximum: MAX_ENV_FILE_SIZE, actual: st.size, subject: host });
  return readFile(host, 'utf8');
}

async function firstFile(root: string, paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) {
    const text = await readRootFile(root, p);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Normalises a machine ID (32 hex digits, any case); `uninitialized` and anything else give undefined. */
export function parseMachineId(text: string | undefined): string | undefined {
  const id = text?.trim().toLowerCase();
  return id && /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id) ? id : undefined;
}

/** Reads machine ID, install.conf, machine-info, entry token, tries and os-release under `root`. */
export async function readInstallConfig(root: string): Promise<InstallConfig> {
  let conf = new Map<string, string>();
  for (const dir of INSTALL_CONF_DIRS) {
    const text = await readRootFile(root, `${dir}/install.conf`);
    if (text !== undefined) {
      conf = parseEnvFile(text);
      break;
    }
  }
  const machineInfo = parseEnvFile((await readRootFile(root, '/etc/machine-info')) ?? '');
  const machineId =
    parseMachineId(conf.get('MACHINE_ID')) ??
    parseMachineId(machineInfo.get('KERNEL_INSTALL_MACHINE_ID')) ??
    parseMachineId(await readRootFile(root, '/etc/machine-id'));
  let entryToken: string | undefined;
  for (const file of ENTRY_TOKEN_FILES) {
    const line = (await readRootFile(root, file))?.split('\n', 1)[0]?.trim();
    if (line) {
      entryToken = line;
      break;
    }
  }
  return {
    root,
    machineId,
    bootRoot: conf.get('BOOT_ROOT') || undefined,
    layout: conf.get('layout') || machineInfo.get('KERNEL_INSTALL_LAYOUT') || undefined,
    entryToken,
    tries: (await readRootFile(root, '/etc/kernel/tries'))?.split('\n', 1)[0]?.trim(),
    osRelease: parseOsRelease((await firstFile(root, OS_RELEASE_FILES)) ?? ''),
  };
}
