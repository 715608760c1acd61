import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@metalayer/core';
import { formatBlsEntry } from '../../bls/bls-entry';
import { checkBootFileName } from '../../bls/bls-path';
import { createBlsEntry } from '../../bls/create-bls-entry';
import { bytesSource, type ByteSource } from '../../bytes/byte-source';
import { checkComposefsDigest } from '../../cmdline/check-composefs-digest';
import { describeComposefsDigest, type ComposefsDigest } from '../../cmdline/composefs-arg';
import { getKernelArg } from '../../cmdline/kernel-cmdline';
import { BootLayoutError } from '../../errors/index';
import { inspectBootPath, type BootPathState } from './boot-path';
import { describeBlsPayload, describeUkiPayload, type PayloadFacts } from './describe-payload';
import { resolveEntryToken } from './entry-token';
import { findBootRoot } from './find-boot-root';
import { readInstallConfig } from './install-config';
import { createSourceScope, lazyFileSource, sha256Source, type SourceScope } from './install-sources';
import type { InstallChange, InstallPayload, InstallPlan, InstallRole, PlanInstallOptions } from './install-types';

/** The marker kernel-install's `layout=auto` reads: this `$BOOT` follows the BLS Type #1 spec. */
export const ENTRIES_SREL_PATH = 'loader/entries.srel';
/** What {@link ENTRIES_SREL_PATH} holds for Type #1 (as `bootctl install` writes it). */
export const ENTRIES_SREL_CONTENT = 'type1\n';
/** Largest boot-counting value accepted (systemd-boot caps the counters at two digits of "done"). */
export const MAX_TRIES = 9999;

/** Plan internals executeInstall needs but JSON output must not show. */
export interface PlanInternals {
  readonly contents: Map<string, ByteSource>;
  /** What each touched path looked like when planned. */
  readonly before: Map<string, BootPathState>;
  readonly scope: SourceScope;
}
const internals = new WeakMap<InstallPlan, PlanInternals>();

/** Takes the hidden part of a plan made by {@link planInstall}; a plan can be executed once. */
export function takePlanInternals(plan: InstallPlan): PlanInternals | undefined {
  const inner = internals.get(plan);
  internals.delete(plan);
  return inner;
}

/** Removes temp files a plan spooled one-shot streams into (after a dry run). */
export async function disposeInstallPlan(plan: InstallPlan): Promise<void> {
  await takePlanInternals(plan)?.scope.dispose();
}

/**
 * Works out everything install-kernel would do, writing nothing: checks the
 * payload (PE structure, command line naming `expectedDigest`), resolves the
 * entry token, `$BOOT`, layout and tries like systemd kernel-install, and
 * lists each directory to create, file to write (with size and sha256), file
 * already identical, and stale entry variant to remove. The plan is plain
 * data (`JSON.stringify` it for `inspect --json`); pass it to
 * {@link executeInstall} to apply it. Hostile input is refused here with a
 * typed error, so a refused install never touches `$BOOT`.
 */
export async function planInstall(payload: InstallPayload, options: PlanInstallOptions): Promise<InstallPlan> {
  const scope = createSourceScope();
  try {
    return await plan(payload, options, scope);
  } catch (error) {
    await scope.dispose();
    throw error;
  }
}

async function plan(payload: InstallPayload, options: PlanInstallOptions, scope: SourceScope): Promise<InstallPlan> {
  const root = options.root ?? '/';
  const config = await readInstallConfig(root);
  const layout = options.layout === undefined || options.layout === 'auto' ? payload.kind : options.layout;
  if (layout !== payload.kind) {
    throw new InvalidArgumentError({
      argument: 'layout',
      value: layout,
      message: `layout ${layout} does not fit a ${payload.kind === 'uki' ? 'UKI' : 'kernel + initrd'} payload`,
      hint:
        payload.kind === 'uki' ? 'a UKI installs as a Type #2 entry (layout uki)' : 'build a UKI from the kernel first to use layout uki',
    });
  }

  const contents = new Map<string, ByteSource>();
  let facts: PayloadFacts;
  let main: ByteSource;
  const initrds: { name: string; source: ByteSource }[] = [];
  if (payload.kind === 'uki') {
    main = await scope.open(payload.uki);
    facts = await describeUkiPayload(main, payload.kernelVersion);
  } else {
    if (/[\r\n]/.test(payload.options))
      throw new InvalidArgumentError({ argument: 'options', message: 'the command line contains a line break' });
    main = await scope.open(payload.kernel);
    facts = await describeBlsPayload(main, {
      kernelVersion: payload.kernelVersion,
      cmdline: payload.options,
      osRelease: payload.osRelease,
      title: payload.title,
    });
    for (const [i, initrd] of (payload.initrds ?? []).entries()) {
      const name = checkBootFileName(initrd.name ?? (i === 0 ? 'initrd' : `initrd-${i}`), 'initrd name');
      if (name === 'linux' || initrds.some((x) => x.name === name))
        throw new InvalidArgumentError({
          argument: 'initrds',
          value: name,
          message: `initrd name ${name} is used twice (or clashes with the kernel's "linux")`,
        });
      initrds.push({ name, source: await scope.open(initrd.data) });
    }
  }
  const expected = (
    Array.isArray(options.expectedDigest) ? options.expectedDigest : [options.expectedDigest]
  ) as readonly ComposefsDigest[];
  const composefs = checkComposefsDigest(facts.cmdlines, expected, { allowInsecure: options.allowInsecure });

  const kernelVersion = checkBootFileName(facts.kernelVersion, 'kernel version');
  const token = resolveEntryToken(options.entryToken, config, options.bootRoot ?? root);
  const boot = await findBootRoot({ bootRoot: options.bootRoot, config, entryToken: token.token });
  const tries = resolveTries(options.tries, config.tries, boot.path);
  const entryId = `${token.token}-${kernelVersion}`;
  const osRelease = facts.osRelease ?? config.osRelease;

  const changes: InstallChange[] = [];
  const before = new Map<string, BootPathState>();
  const mkdirs = async (rel: string) => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (before.has(dir)) continue;
      const state = await inspectBootPath(boot.path, dir);
      if (state.kind === 'file')
        throw new BootLayoutError({ bootRoot: boot.path, message: `${dir} is a file where a directory is needed` });
      before.set(dir, state);
      if (state.kind === 'missing') changes.push({ action: 'mkdir', path: dir });
    }
  };
  const files: { path: string; role: InstallRole; source: ByteSource }[] = [];
  let title = facts.title;
  let entryDir: string;
  let entryExt: string;
  let entrySource: ByteSource;
  if (layout === 'uki') {
    entryDir = 'EFI/Linux';
    entryExt = '.efi';
    entrySource = main;
  } else {
    const dir = `${token.token}/${kernelVersion}`;
    files.push({ path: `${dir}/linux`, role: 'kernel', source: main });
    for (const i of initrds) files.push({ path: `${dir}/${i.name}`, role: 'initrd', source: i.source });
    const srel = await inspectBootPath(boot.path, ENTRIES_SREL_PATH);
    if (srel.kind === 'file') {
      const text = (await readFile(join(boot.path, ENTRIES_SREL_PATH), 'utf8')).trim();
      if (text !== 'type1')
        throw new BootLayoutError({
          bootRoot: boot.path,
          message: `${ENTRIES_SREL_PATH} says ${JSON.stringify(text)}, so another boot loader specification owns loader/entries`,
          hint: 'install a UKI instead, or pass a different --boot-root',
        });
    } else if (srel.kind === 'dir') throw new BootLayoutError({ bootRoot: boot.path, message: `${ENTRIES_SREL_PATH} is a directory` });
    else files.push({ path: ENTRIES_SREL_PATH, role: 'srel', source: bytesSource(new TextEncoder().encode(ENTRIES_SREL_CONTENT)) });
    title = facts.title ?? osRelease.PRETTY_NAME ?? `Linux ${kernelVersion}`;
    const byMachineId = config.machineId !== undefined && token.token === config.machineId;
    let cmdline = facts.cmdlines[0]!.cmdline ?? '';
    // kernel-install pins the machine ID on the command line when entries are named after it.
    if (byMachineId && config.machineId && getKernelArg(cmdline, 'systemd.machine_id') === undefined)
      cmdline = `${cmdline} systemd.machine_id=${config.machineId}`.trim();
    const entry = createBlsEntry({
      comments: ['Boot Loader Specification type#1 entry', 'File created by metalayer install-kernel'],
      title,
      version: kernelVersion,
      machineId: byMachineId ? config.machineId : undefined,
      sortKey: osRelease.IMAGE_ID || osRelease.ID || undefined,
      options: cmdline,
      linux: `/${dir}/linux`,
      initrds: initrds.map((i) => `/${dir}/${i.name}`),
    });
    entryDir = 'loader/entries';
    entryExt = '.conf';
    entrySource = bytesSource(new TextEncoder().encode(formatBlsEntry(entry)));
  }

  // Data files first (kernel, initrds, srel), each either identical already or written.
  const hashes = new Map<ByteSource, string>();
  const hashOf = async (s: ByteSource) => hashes.get(s) ?? (hashes.set(s, await sha256Source(s)), hashes.get(s)!);
  for (const f of files) {
    await mkdirs(f.path.split('/').slice(0, -1).join('/'));
    const state = await inspectBootPath(boot.path, f.path);
    if (state.kind === 'dir') throw new BootLayoutError({ bootRoot: boot.path, message: `${f.path} is a directory` });
    before.set(f.path, state);
    const sha256 = await hashOf(f.source);
    const same =
      state.kind === 'file' && state.size === f.source.size && (await sha256Source(await fileSourceAt(boot.path, f.path))) === sha256;
    if (same) changes.push({ action: 'keep', path: f.path, role: f.role, size: f.source.size, sha256 });
    else {
      changes.push({ action: 'write', path: f.path, role: f.role, size: f.source.size, sha256, replaces: state.kind === 'file' });
      contents.set(f.path, f.source);
    }
  }

  // The entry: keep an identical existing variant (whatever its boot counter), else write it and drop stale variants.
  await mkdirs(entryDir);
  const entryName = `${entryId}${tries === undefined ? '' : `+${tries}`}${entryExt}`;
  const entrySha = await hashOf(entrySource);
  const variants = await listVariants(boot.path, entryDir, entryId, entryExt);
  let identical: string | undefined;
  for (const v of variants) {
    const rel = `${entryDir}/${v}`;
    const state = await inspectBootPath(boot.path, rel);
    if (state.kind !== 'file') throw new BootLayoutError({ bootRoot: boot.path, message: `${rel} is not a regular file` });
    before.set(rel, state);
    if (identical === undefined && state.size === entrySource.size && (await sha256Source(await fileSourceAt(boot.path, rel))) === entrySha)
      identical = v;
  }
  let entryPath = `${entryDir}/${entryName}`;
  if (identical !== undefined) {
    entryPath = `${entryDir}/${identical}`;
    changes.push({ action: 'keep', path: entryPath, role: layout === 'uki' ? 'uki' : 'entry', size: entrySource.size, sha256: entrySha });
  } else {
    const state = before.get(entryPath) ?? (await inspectBootPath(boot.path, entryPath));
    before.set(entryPath, state);
    changes.push({
      action: 'write',
      path: entryPath,
      role: layout === 'uki' ? 'uki' : 'entry',
      size: entrySource.size,
      sha256: entrySha,
      replaces: state.kind === 'file',
    });
    contents.set(entryPath, entrySource);
    for (const v of variants) {
      if (v === entryName) continue;
      changes.push({
        action: 'remove',
        path: `${entryDir}/${v}`,
        reason: /\+\d+(-\d+)?\.[a-z]+$/.test(v)
          ? 'stale boot-counting variant of the same entry'
          : 'previous entry of the same kernel version without boot counting',
      });
    }
  }
  const result: InstallPlan = {
    layout,
    bootRoot: boot.path,
    bootRootSource: boot.source,
    root,
    entryToken: token.token,
    entryTokenSource: token.source,
    machineId: config.machineId,
    kernelVersion,
    tries,
    entryId,
    entryPath,
    title,
    cmdlines: facts.cmdlines.map((c, i) => ({ profile: facts.profiles[i], cmdline: c.cmdline })),
    composefs,
    expectedDigests: expected.map((d) => describeComposefsDigest(d)),
    changes,
    upToDate: changes.every((c) => c.action === 'keep'),
  };
  internals.set(result, { contents, before, scope });
  return result;
}

function resolveTries(option: number | undefined, file: string | undefined, bootRoot: string): number | undefined {
  if (option !== undefined) {
    if (!Number.isSafeInteger(option) || option < 0 || option > MAX_TRIES)
      throw new InvalidArgumentError({ argument: 'tries', value: option, message: `tries must be an integer from 0 to ${MAX_TRIES}` });
    return option;
  }
  if (file === undefined || file === '') return undefined;
  if (!/^\d{1,4}$/.test(file))
    throw new BootLayoutError({ bootRoot, message: `/etc/kernel/tries does not contain an integer (${JSON.stringify(file)})` });
  return Number(file);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Entry files for `id` in `dir`: `<id>.ext` and boot-counting variants `<id>+LEFT[-DONE].ext`, sorted. */
async function listVariants(bootRoot: string, dir: string, id: string, ext: string): Promise<string[]> {
  const pattern = new RegExp(`^${escapeRegExp(id)}(\\+\\d+(-\\d+)?)?${escapeRegExp(ext)}$`);
  try {
    return (await readdir(join(bootRoot, dir))).filter((n) => pattern.test(n)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function fileSourceAt(bootRoot: string, rel: string): Promise<ByteSource> {
  return lazyFileSource(join(bootRoot, rel));
}
