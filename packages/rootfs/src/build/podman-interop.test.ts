import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeNlink, formatDumpfile } from '@metalayer/composefs';
import { openLayout, resolveImage } from '@metalayer/oci';
import { haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { walkDirectory } from '../test-support/walk-directory';
import { composefsTree } from './composefs-tree';
import { computeImageIds } from './composefs-image';

const isRoot = process.getuid?.() === 0;
/** The dumpfile without its first line (the root, whose metadata the runtime makes up). */
const belowRoot = (dump: string) => dump.slice(dump.indexOf('\n') + 1);

// An image built by podman (vfs storage, buildah COPY layers) and pushed to OCI
// layouts as tar+gzip and tar+zstd: the container view equals what podman
// mounts for a container, and both encodings give one composefs id.
describe.skipIf(!isRoot || !haveTools('podman'))('images built by podman', () => {
  const tmp = useTempDir('rootfs-podman-');

  it('the container view equals the container podman mounts; gzip and zstd layers give one id', async () => {
    const podman = ['--storage-driver', 'vfs', '--root', join(tmp, 'storage'), '--runroot', join(tmp, 'run')];
    const ctx = join(tmp, 'ctx');
    for (const d of ['one/usr/bin', 'one/etc', 'two/usr/lib/app', 'two/etc']) mkdirSync(join(ctx, d), { recursive: true });
    writeFileSync(join(ctx, 'one/usr/bin/tool'), prngBytes('tool', 70_000), { mode: 0o755 });
    writeFileSync(join(ctx, 'one/etc/hostname'), 'box\n');
    run('ln', ['-s', 'tool', join(ctx, 'one/usr/bin/alias')]);
    run('ln', [join(ctx, 'one/usr/bin/tool'), join(ctx, 'one/usr/bin/tool-hard')]);
    writeFileSync(join(ctx, 'two/usr/lib/app/data'), prngBytes('data', 4097));
    writeFileSync(join(ctx, 'two/etc/hostname'), 'other\n');
    writeFileSync(join(ctx, 'Containerfile'), 'FROM scratch\nCOPY one/ /\nCOPY two/ /\n');
    run('podman', [...podman, 'build', '-q', '-t', 'localhost/rootfs-interop:1', ctx], { timeoutMs: 300_000 });
    const layout = join(tmp, 'layout');
    run('podman', [...podman, 'push', '-q', 'localhost/rootfs-interop:1', `oci:${layout}:gzip`], { timeoutMs: 300_000 });
    run('podman', [...podman, 'push', '-q', '--compression-format', 'zstd', 'localhost/rootfs-interop:1', `oci:${layout}:zstd`], {
      timeoutMs: 300_000,
    });

    const container = run('podman', [...podman, 'create', 'localhost/rootfs-interop:1', '/none'])
      .stdout.toString()
      .trim();
    const mounted = run('podman', [...podman, 'mount', container])
      .stdout.toString()
      .trim();
    let expected: string;
    try {
      const tree = walkDirectory(mounted, 'sha512');
      computeNlink(tree);
      expected = formatDumpfile(tree);
    } finally {
      run('podman', [...podman, 'umount', container]);
      run('podman', [...podman, 'rm', container]);
    }
    const store = await openLayout(layout);
    const ids = new Set<string>();
    for (const tag of ['gzip', 'zstd']) {
      const image = await resolveImage(store, tag);
      expect(image.manifest.layers[0]!.mediaType).toMatch(tag === 'gzip' ? /gzip$/ : /zstd$/);
      const { rootfs } = await composefsTree(store, image, { containerView: true });
      expect(belowRoot(formatDumpfile(rootfs.tree)), tag).toBe(belowRoot(expected));
      ids.add((await computeImageIds(store, image))[0]!.hex);
    }
    expect(ids.size).toBe(1);
  });
});
