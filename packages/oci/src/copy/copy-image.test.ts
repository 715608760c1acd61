import { join } from 'node:path';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { PlatformNotFoundError } from '../errors/index';
import { openLayout } from '../layout/layout-store';
import { MediaType } from '../media-types';
import { encodeJson } from '../parse-json';
import { resolveImage } from '../store/resolve-image';
import { putTestImage } from '../test-support/image-fixtures';
import { copyImage } from './copy-image';

describe('copyImage with image indexes', () => {
  const tmp = useTempDir();

  it('picks the platform by default, copies the whole index with all, keeping digests', async () => {
    const src = await openLayout(join(tmp, 'src'), { create: true });
    const amd = await putTestImage(src, { seed: 'amd64' });
    const arm = await putTestImage(src, { seed: 'arm64' });
    const index = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.imageIndex,
      manifests: [
        { ...arm.manifest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { ...amd.manifest, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    const indexDescriptor = await src.putManifest(index, { tag: 'multi' });
    expect((await resolveImage(src, 'multi')).descriptor.digest).toBe(amd.manifest.digest);
    expect((await resolveImage(src, 'multi', { platform: { os: 'linux', architecture: 'arm64' } })).config.config?.Labels).toEqual({
      'org.example.seed': 'arm64',
    });
    await expect(resolveImage(src, 'multi', { platform: { os: 'linux', architecture: 's390x' } })).rejects.toSatisfy(
      PlatformNotFoundError.isInstance,
    );

    const one = await openLayout(join(tmp, 'one'), { create: true });
    const picked = await copyImage(src, 'multi', one, { tag: 'x', platform: { os: 'linux', architecture: 'arm64' } });
    expect(picked.manifest.digest).toBe(arm.manifest.digest);
    expect(await one.statBlob(amd.config.digest)).toBeUndefined();

    const all = await openLayout(join(tmp, 'all'), { create: true });
    const copied = await copyImage(src, 'multi', all, { tag: 'x', all: true });
    expect(copied.manifest.digest).toBe(indexDescriptor.digest);
    expect(copied.manifests.map((m) => m.digest)).toEqual([arm.manifest.digest, amd.manifest.digest, indexDescriptor.digest]);
    expect((await resolveImage(all, 'x')).descriptor.digest).toBe(amd.manifest.digest);
  });
});
