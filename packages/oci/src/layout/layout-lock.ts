import { constants } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockTimeoutError } from '../errors/index';

/** How long a writer waits for the `index.json` lock before giving up. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** A lock whose holder cannot be checked (other host, unreadable) is broken after this age. */
const STALE_LOCK_AGE_MS = 10 * 60_000;
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 200;

/** A lock file still empty after this long lost its writer between create and write. */
const EMPTY_LOCK_AGE_MS = 5_000;

function holderAlive(content: string, age: number): boolean {
  if (content.trim() === '') return age < EMPTY_LOCK_AGE_MS;
  const [pid, host] = content.trim().split(' ');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return age < STALE_LOCK_AGE_MS;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a lock whose holder is gone; rename first so two waiters never both remove a fresh lock. */
async function breakIfStale(path: string): Promise<void> {
  let content: string;
  let age: number;
  try {
    content = await readFile(path, 'utf8');
    age = Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return;
  }
  if (holderAlive(content, age)) return;
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  // The rename may have taken a fresh lock created after our read: put it back then.
  const now = await readFile(aside, 'utf8').catch(() => '');
  if (now !== content) await rename(aside, path).catch(() => undefined);
  else await rm(aside, { force: true });
}

/**
 * Runs `fn` holding an exclusive lock file (`O_CREAT|O_EXCL`, content `pid host`).
 * Works across processes; a lock left by a dead process on this host is broken.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<T> {
  const started = Date.now();
  let delay = POLL_MIN_MS;
  for (;;) {
    try {
      const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await handle.write(`${process.pid} ${hostname()}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (Date.now() - started > timeoutMs) throw new LockTimeoutError({ path, waitedMs: Date.now() - started });
    await breakIfStale(path);
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(POLL_MAX_MS, delay * 2);
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
