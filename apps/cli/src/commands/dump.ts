import { once } from 'node:events';
import { dumpfileLines, formatDumpfile } from '@metalayer/composefs';
import { composefsTree } from '@metalayer/rootfs';
import { defineCommand } from '../command';
import { digestSpecFromArgs } from '../digest-args';
import { layerProgress, openRootfsImage, rootfsOptions, transformOptionsFromArgs, warnSelinux } from '../rootfs-args';

/** `metalayer dump`: an image's root filesystem as a composefs dumpfile. */
export const dumpCommand = defineCommand({
  name: 'dump',
  summary: 'Print the root filesystem of an OCI image as a composefs dumpfile (cfsctl oci dump).',
  usage: 'dump [--bootable] [--hash sha256|sha512] [--container-view] [options] IMAGE',
  description: `
Prints the tree compute-id hashes, in the canonical composefs-dump(5) form that
\`composefs-info dump\` prints: depth-first, entries in byte order, hard links as @ lines.
Feeding it to \`mkcomposefs --min-version=1 --max-version=1 --from-file\` (C or metalayer)
gives the image whose digest compute-id prints (C mkcomposefs reads SHA-256 digests only:
use --hash sha256 for it).

--container-view prints instead what a container runtime shows (umoci unpack, podman):
layers merged as the OCI spec says (whiteouts hide lower layers only, opaque markers apply
first, missing parents are created), without the composefs canonical transforms.`,
  options: {
    hash: { type: 'string', valueName: 'sha256|sha512', description: 'fs-verity hash naming external files (default sha512).' },
    'container-view': { type: 'boolean', description: 'The OCI-spec merge without composefs transforms (what umoci unpack shows).' },
    ...rootfsOptions,
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer dump oci:./out:v1 > rootfs.dump',
    'metalayer dump --bootable --hash sha256 oci:./out:v1 | mkcomposefs --min-version=1 --max-version=1 --print-digest-only --from-file -',
    'metalayer dump --container-view oci:./out:v1',
  ],
  async run(ctx) {
    const { algorithm } = digestSpecFromArgs({ ...(ctx.values.hash ? { hash: ctx.values.hash } : {}) });
    const transform = transformOptionsFromArgs(ctx.values);
    const { opened, image } = await openRootfsImage(ctx, ctx.positionals[0]!);
    const progress = layerProgress(ctx, `dump ${opened.label}`);
    const { rootfs, canonical } = await composefsTree(opened.store, image, {
      ...transform,
      algorithm,
      containerView: Boolean(ctx.values['container-view']),
      signal: ctx.signal,
      onProgress: progress.onProgress,
    });
    progress.finish();
    warnSelinux(ctx, canonical?.selinuxPolicy);
    if (ctx.json) {
      ctx.printJson({
        image: opened.label,
        manifest: image.descriptor.digest,
        view: ctx.values['container-view'] ? 'container' : transform.bootable ? 'composefs-bootable' : 'composefs',
        algorithm,
        dumpfile: formatDumpfile(rootfs.tree),
      });
      return;
    }
    for (const line of dumpfileLines(rootfs.tree)) {
      ctx.signal.throwIfAborted();
      if (!ctx.io.stdout.write(line)) await once(ctx.io.stdout, 'drain');
    }
  },
});
