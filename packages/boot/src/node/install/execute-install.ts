import { createHash } from 'node:crypto';
import { mkdir, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DigestMismatchError, InvalidArgumentError } from '@metalayer/core';
import { fsyncDirectory, openAtomic, type AtomicFile } from '@metalayer/core/node';
import { streamSource, type ByteSource } from '../../bytes/byte-source';
import { BootLayoutError } from '../../errors/index';
import { inspectBootPath, type BootPathState } from './boot-path';
import type { ExecuteInstallOptions, InstallChange, InstallPlan, InstallResult } from './install-types';
import { takePlanInternals } from './plan-install';

/** Mode of directories created in `$BOOT`. */
export const BOOT_DIR_MODE = 0o755;
/** Mode of files written to `$BOOT` (kernel-install uses `install -m 0644`). */
export const BOOT_FILE_MODE = 0o644;

/**
 * Applies a plan from {@link planInstall}: re-checks that `$BOOT` still
 * looks as planned, calls `beforeEntry` (deploy the image there), creates
 * directories, stages every file as a temp file next to its target (content
 * re-hashed against the plan while streaming), then renames data files into
 * place and the entry file last, each with fsync of file and directory, and
 * finally removes stale variants. Previous entries of other kernel versions
 * are never touched. An up-to-date plan writes nothing. If anything fails,
 * staged files are removed and files and directories this run created are
 * taken away again. Temp files spooled for the plan are removed at the end.
 */
export async function executeInstall(plan: InstallPlan, options: ExecuteInstallOptions = {}): Promise<InstallResult> {
  const inner = takePlanInternals(plan);
  if (!inner) throw new InvalidArgumentError({ argument: 'plan', message: 'not a plan made by planInstall() (or already executed)' });
  try {
    await recheck(plan, inner.before);
    await options.beforeEntry?.(plan);
    if (plan.upToDate) return { plan, written: [], removed: [] };
    return await apply(plan, inner.contents);
  } finally {
    await inner.scope.dispose();
  }
}

/** `$BOOT` must still be as planned: same files (by size), no new symlinks, no new obstacles. */
async function recheck(plan: InstallPlan, before: Map<string, BootPathState>): Promise<void> {
  for (const [path, was] of before) {
    const now = await inspectBootPath(plan.bootRoot, path);
    const same = now.kind === was.kind && (now.kind !== 'file' || (was.kind === 'file' && now.size === was.size));
    if (!same)
      throw new BootLayoutError({
        bootRoot: plan.bootRoot,
        message: `${path} changed since the install was planned`,
        hint: 'plan the install again',
      });
  }
}

async function apply(plan: InstallPlan, contents: Map<string, ByteSource>): Promise<InstallResult> {
  const abs = (rel: string) => join(plan.bootRoot, rel);
  const createdDirs: string[] = [];
  const createdFiles: string[] = [];
  const staged: { change: Extract<InstallChange, { action: 'write' }>; file: AtomicFile }[] = [];
  const written: string[] = [];
  const removed: string[] = [];
  try {
    for (const change of plan.changes) {
      if (change.action !== 'mkdir') continue;
      await mkdir(abs(change.path), { mode: BOOT_DIR_MODE });
      createdDirs.push(change.path);
      await fsyncDirectory(dirname(abs(change.path)));
    }
    for (const change of plan.changes) {
      if (change.action !== 'write') continue;
      const file = await openAtomic(abs(change.path), { mode: BOOT_FILE_MODE });
      staged.push({ change, file });
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of streamSource(contents.get(change.path)!)) {
        hash.update(chunk);
        size += chunk.length;
        await file.write(chunk);
      }
      const sha256 = hash.digest('hex');
      if (sha256 !== change.sha256 || size !== change.size) {
        throw new DigestMismatchError({
          subject: `${change.path} (payload changed after planning)`,
          expected: `sha256:${change.sha256}`,
          actual: `sha256:${sha256}`,
        });
      }
    }
    // Data files first, the entry last: a crash in between leaves at most unreferenced files.
    const entryLast = [...staged].sort((a, b) => Number(a.change.path === plan.entryPath) - Number(b.change.path === plan.entryPath));
    for (const s of entryLast) {
      await s.file.commit();
      if (!s.change.replaces) createdFiles.push(s.change.path);
      written.push(s.change.path);
    }
  } catch (error) {
    await Promise.all(staged.map((s) => s.file.abort()));
    for (const f of createdFiles.reverse()) await rm(abs(f), { force: true });
    for (const d of createdDirs.reverse()) await rmdir(abs(d)).catch(() => undefined);
    throw error;
  }
  const dirs = new Set<string>();
  for (const change of plan.changes) {
    if (change.action !== 'remove') continue;
    await unlink(abs(change.path));
    removed.push(change.path);
    dirs.add(dirname(abs(change.path)));
  }
  for (const d of dirs) await fsyncDirectory(d);
  return { plan, written, removed };
}
