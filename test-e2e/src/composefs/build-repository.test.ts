import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { tinyOs } from '../tree/tiny-os';
import { buildComposefsRepository, objectPathForContent } from './build-repository';

describe.skipIf(!haveTools('fsverity', 'fsck.erofs', 'busybox'))('buildComposefsRepository with the tiny OS', () => {
  const tmp = useTempDir('metalayer-repo-');

  it.each(['sha256', 'sha512'] as const)('lays out objects and images/<digest> as composefs-rs does (%s)', async (algorithm) => {
    const os = tinyOs();
    const repo = await buildComposefsRepository({ tree: os.merged, repoDir: join(tmp, algorithm), algorithm });
    const hexLength = algorithm === 'sha256' ? 64 : 128;
    const fsverity = (path: string): string =>
      run('fsverity', ['digest', '--compact', `--hash-alg=${algorithm}`, path])
        .stdout.toString()
        .trim();

    // images/<hex> → ../objects/xx/<rest>, and the name is the image's fs-verity digest
    expect(repo.digest).toMatch(new RegExp(`^[0-9a-f]{${hexLength}}$`));
    expect(readlinkSync(repo.imagePath)).toBe(`../objects/${repo.digest.slice(0, 2)}/${repo.digest.slice(2)}`);
    expect(fsverity(repo.imagePath)).toBe(repo.digest);
    run('fsck.erofs', [realpathSync(repo.imagePath)]);

    // every file over 64 bytes is an object named by its own fs-verity digest; smaller ones are not
    const external = os.merged.filter((e) => e.type === 'file' && ('bytes' in e.source ? e.source.bytes.length : e.source.size) > 64);
    expect([...repo.objects.keys()].sort()).toEqual(external.map((e) => e.path).sort());
    expect(repo.objects.has('/etc/marker-big')).toBe(true);
    expect(repo.objects.has('/etc/marker')).toBe(false);
    for (const [path, object] of repo.objects) {
      const stored = join(repo.repoDir, 'objects', object.objectPath);
      expect(fsverity(stored), path).toBe(object.digest);
      expect(object.objectPath.replace('/', '')).toBe(object.digest);
    }
    expect(readFileSync(join(repo.repoDir, 'objects', repo.objects.get('/etc/marker-big')!.objectPath), 'utf8')).toBe(os.bigMarker);
    expect(objectPathForContent(os.bigMarker, algorithm)).toBe(repo.objects.get('/etc/marker-big')!.objectPath);
  });
});
