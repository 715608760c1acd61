import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` with a private temporary directory (extracted payloads, scratch
 * layouts) and removes it afterwards, whatever happens.
 */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, prefix = 'metalayer-'): Promise<T> {
  const dir = await mkdtemp(join(process.env.TMPDIR ?? tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
