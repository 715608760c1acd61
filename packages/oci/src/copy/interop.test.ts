import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { haveTools, run, useTempDir, startDockerRegistry, type TestRegistry } from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../digest';
import { readStoredLayer } from '../layer/layer-reader';
import { openLayout } from '../layout/layout-store';
import { resolveImage } from '../store/resolve-image';
import { defaultLayers, putTestArtifact, putTestImage } from '../test-support/image-fixtures';
import { copyImage } from './copy-image';

describe.skipIf(!haveTools('skopeo', 'umoci', 'docker-registry'))('interop with skopeo, umoci and docker-registry', () => {
  const tmp = useTempDir();
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startDockerRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('umoci unpacks our layout: layers applied in order, whiteouts honoured', async () => {
    const layout = await openLayout(join(tmp, 'umoci'), { create: true });
    await putTestImage(layout, { tag: 'v1', seed: 'u' });
    await putTestArtifact(layout, (await layout.getManifest('v1')).descriptor); // untagged entry: must be harmless
    const bundle = join(tmp, 'bundle');
    run('umoci', ['unpack', '--rootless', '--image', `${layout.path}:v1`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    expect(await readFile(join(rootfs, 'etc/hello'), 'utf8')).toBe('hello again u\n');
    expect(await readlink(join(rootfs, 'etc/link'))).toBe('hello');
    await expect(lstat(join(rootfs, 'boot/keep'))).rejects.toThrow(/ENOENT/);
    expect((await stat(join(rootfs, 'boot'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(rootfs, 'usr/bin/tool'))).mode & 0o777).toBe(0o755);
    expect(run('umoci', ['ls', '--layout', layout.path]).stdout.toString().trim()).toBe('v1');
  });

  it('skopeo copies our layout to the registry and back byte-identically, and we read what skopeo wrote', async () => {
    const layout = await openLayout(join(tmp, 'ours'), { create: true });
    const image = await putTestImage(layout, { tag: 'v1', seed: 's' });
    const remote = `docker://${registry.host}/interop/img:v1`;
    // skopeo gzips our uncompressed `tar` layer on a push to docker:// unless told to keep digests.
    run('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout.path}:v1`, remote]);
    expect(new Uint8Array(run('skopeo', ['inspect', '--raw', '--tls-verify=false', remote]).stdout)).toEqual(image.manifestBytes);
    const theirs = join(tmp, 'theirs');
    run('skopeo', ['copy', '--preserve-digests', '--src-tls-verify=false', remote, `oci:${theirs}:v1`]);
    const index = JSON.parse(await readFile(join(theirs, 'index.json'), 'utf8'));
    expect(index.mediaType).toBeUndefined(); // skopeo 1.9 omits it: we must cope
    const store = await openLayout(theirs);
    const resolved = await resolveImage(store, 'v1');
    expect(resolved.descriptor.digest).toBe(image.manifest.digest);
    expect(digestOf(resolved.manifestBytes)).toBe(image.manifest.digest);
    for (const [i, layer] of resolved.manifest.layers.entries()) {
      const names: string[] = [];
      for await (const entry of readStoredLayer(store, layer, { diffId: resolved.config.rootfs.diff_ids[i]! }))
        names.push(entry.header.name);
      expect(names).toEqual(defaultLayers('s')[i]!.map((e) => e.name));
    }
    // our copy of what skopeo wrote lands at the same digest again, and skopeo reads our copy
    const mine = await openLayout(join(tmp, 'mine'), { create: true });
    const copied = await copyImage(store, 'v1', mine, { tag: 'again' });
    expect(copied.manifest.digest).toBe(image.manifest.digest);
    const raw = run('skopeo', ['inspect', '--raw', `oci:${mine.path}:again`]).stdout;
    expect(digestOf(new Uint8Array(raw))).toBe(image.manifest.digest);
  });
});
