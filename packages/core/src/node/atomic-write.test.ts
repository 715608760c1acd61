import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { openAtomic, writeFileAtomic } from './atomic-write';

describe('writeFileAtomic', () => {
  const dir = useTempDir();

  it('replaces a file in one step and sets the mode', async () => {
    const path = join(dir, 'a');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new', { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves the old file and no temp file when the source stream fails', async () => {
    const path = join(dir, 'b');
    await writeFile(path, 'keep');
    async function* failing() {
      yield new TextEncoder().encode('partial');
      throw new Error('source broke');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('source broke');
    expect(await readFile(path, 'utf8')).toBe('keep');
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('abort() removes the temp file', async () => {
    const file = await openAtomic(join(dir, 'c'));
    await file.write('x');
    await file.abort();
    expect((await readdir(dir)).includes('c')).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
