import { mkdirSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How many VMs may run at once on this machine (`METALAYER_E2E_JOBS`, default 2: one TCG VM per core). */
export function maxParallelVms(): number {
  const n = Number(process.env.METALAYER_E2E_JOBS ?? 2);
  return Number.isInteger(n) && n > 0 ? n : 2;
}

const SLOT_DIR = join(tmpdir(), 'metalayer-e2e-vm-slots');
const POLL_MS = 200;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Tries to take slot `i`: true on success; a slot left by a dead process is reclaimed. */
async function tryTake(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    await fh.writeFile(String(process.pid));
    await fh.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number(await readFile(path, 'utf8').catch(() => ''));
  // An empty file is a slot being written right now; leave it alone.
  if (!owner || alive(owner)) return false;
  // Only one reclaimer wins the rename; the others retry on the next poll.
  const stale = `${path}.stale-${process.pid}`;
  try {
    await rename(path, stale);
  } catch {
    return false;
  }
  await rm(stale, { force: true });
  return false;
}

/**
 * Waits for one of {@link maxParallelVms} machine-wide VM slots (pid files in
 * the temp dir, shared by every vitest worker) and returns its release function.
 * TCG runs one vCPU per host core; more VMs than cores only make every boot slower.
 */
export async function acquireVmSlot(signal?: AbortSignal): Promise<() => Promise<void>> {
  mkdirSync(SLOT_DIR, { recursive: true });
  const slots = maxParallelVms();
  for (;;) {
    signal?.throwIfAborted();
    for (let i = 0; i < slots; i++) {
      const path = join(SLOT_DIR, `slot-${i}`);
      if (await tryTake(path)) {
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        };
      }
    }
    await sleep(POLL_MS);
  }
}
