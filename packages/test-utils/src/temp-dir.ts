import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Creates a fresh temporary directory removed after the current test file.
 * Set `METALAYER_KEEP_TMP=1` to keep it for inspection.
 */
export function useTempDir(prefix = 'metalayer-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    if (!process.env.METALAYER_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
