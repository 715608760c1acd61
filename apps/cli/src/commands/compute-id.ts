import { formatComposefsArg } from '@metalayer/boot';
import { canonicalizeRootfs, imageIdOf, readImageRootfs } from '@metalayer/rootfs';
import { defineCommand } from '../command';
import { digestOptions, digestSpecFromArgs } from '../digest-args';
import { layerProgress, openRootfsImage, rootfsOptions, transformOptionsFromArgs, warnSelinux } from '../rootfs-args';

/** `metalayer compute-id`: the composefs image id of an OCI image, as `cfsctl oci compute-id` computes it. */
export const computeIdCommand = defineCommand({
  name: 'compute-id',
  summary: 'Print the composefs image id (fs-verity digest) of an OCI image, as cfsctl oci compute-id does.',
  usage: 'compute-id [--bootable] [--erofs-version 0|1] [--hash sha256|sha512] [options] IMAGE',
  description: `
Merges IMAGE's layers exactly as composefs-rs does (whiteouts and opaque markers act where
they appear in the tar stream, no implicit parent directories), applies the OCI canonical
form (root metadata from /usr, /run emptied, xattrs limited to security.capability) and,
with --bootable, empties /boot and /sysroot. Files of 64 bytes or less are inline, larger
ones external objects named by their fs-verity digest. The result is the fs-verity digest
of the EROFS image: the value bootc and composefs-setup-root expect on the kernel command
line (composefs.digest=v1-<hash>-12:<id>).

Defaults match current composefs-rs: --erofs-version 1 --hash sha512. Each layer is read
once; layer digests and diff_ids are verified while streaming.

IMAGE is oci:DIR[:TAG|@DIGEST] or docker://HOST/REPO[:TAG|@DIGEST].`,
  options: { ...digestOptions, ...rootfsOptions },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer compute-id oci:./out:v1',
    'metalayer compute-id --bootable oci:./out:v1',
    'metalayer compute-id --hash sha256 --erofs-version 0 docker://127.0.0.1:5000/os/base:v1 --tls-verify=false',
    'metalayer compute-id --bootable --json oci:/srv/images@sha256:…',
  ],
  async run(ctx) {
    const spec = digestSpecFromArgs(ctx.values);
    const transform = transformOptionsFromArgs(ctx.values);
    const { opened, image } = await openRootfsImage(ctx, ctx.positionals[0]!);
    const progress = layerProgress(ctx, `compute-id ${opened.label}`);
    const rootfs = await readImageRootfs(opened.store, image, {
      algorithms: [spec.algorithm],
      signal: ctx.signal,
      onProgress: progress.onProgress,
      ...(transform.layers !== undefined ? { layers: transform.layers } : {}),
    });
    const canonical = canonicalizeRootfs(rootfs, transform);
    const id = imageIdOf(rootfs, spec);
    progress.finish();
    warnSelinux(ctx, canonical.selinuxPolicy);
    if (ctx.json) {
      ctx.printJson({
        image: opened.label,
        manifest: image.descriptor.digest,
        config: image.manifest.config.digest,
        id: id.hex,
        algorithm: id.algorithm,
        erofsVersion: id.erofsVersion,
        composefsVersion: id.composefsVersion,
        imageSize: id.size,
        bootable: canonical.bootable,
        xattrs: transform.keepUserXattrs ? 'keep-user-xattrs' : 'allowlist-only',
        selinuxPolicy: canonical.selinuxPolicy ?? null,
        karg: formatComposefsArg({ algorithm: id.algorithm, hex: id.hex, version: 'v1', form: 'digest', insecure: false }),
        layers: rootfs.layers.map((l) => ({ diffId: l.diffId, digest: l.blob.digest, entries: l.entries, cached: l.cached })),
      });
      return;
    }
    ctx.print(id.hex);
  },
});
