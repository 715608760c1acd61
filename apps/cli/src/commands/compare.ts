import { InvalidArgumentError } from '@metalayer/core';
import { defineCommand } from '../command';
import { compareStrategies, formatComparison } from '../compare/compare-strategies';
import { digestOptions, digestSpecFromArgs } from '../digest-args';
import { imageOptions, openImageArg, imageArgOptions } from '../image-args';
import { payloadFromArgs, payloadOptions } from '../payload-args';
import { strategyRegistry } from '../strategies';
import { withTempDir } from '../temp-dir';

/** `metalayer compare`: every strategy on one image, side by side. */
export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'Attach one kernel to one image with every strategy and compare the results side by side.',
  usage: 'compare (--uki FILE | --kernel FILE [--initrd FILE]… | --from-image) [--cmdline ARGS] [--stub FILE] IMAGE',
  description: `
Each strategy works on its own scratch copy of IMAGE (the image itself is never written):
attach, locate, verify. The table shows whether the image digest changes, what is added
(layers, manifests, bytes), what a machine that already has the image must fetch to install
the kernel, what containers see, whether the referrers API is involved, and verify time.
All strategies name the same composefs digest: the bootable digest of IMAGE.`,
  options: { ...payloadOptions, ...digestOptions, ...imageOptions },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer compare --uki os.efi oci:./build:base',
    'metalayer compare --kernel vmlinuz --initrd initrd.img --cmdline "rw" --json docker://registry.example/os/base:41',
  ],
  async run(ctx) {
    const image = await openImageArg(ctx.positionals[0]!, imageArgOptions(ctx.values));
    const digest = digestSpecFromArgs(ctx.values);
    return withTempDir(async (workDir) => {
      const payload = await payloadFromArgs(ctx.values, { tempDir: workDir, signal: ctx.signal }, image);
      const progress = ctx.progress('compare', undefined, 'items');
      let done = 0;
      const rows = await compareStrategies({
        registry: strategyRegistry(),
        image,
        payload,
        digest,
        workDir,
        signal: ctx.signal,
        onStrategy: (name) => progress.update(done++, name),
      });
      progress.finish();
      if (rows.length === 0) {
        throw new InvalidArgumentError({ argument: '--uki', message: `no strategy carries a ${payload.kind} payload` });
      }
      if (ctx.json) return void ctx.printJson({ image: image.label, payload: payload.kind, strategies: rows });
      ctx.print(
        `${image.label}: composefs digest ${rows[0]!.composefsDigest.slice(0, 16)}… (${digest.algorithm}, EROFS v${digest.erofsVersion})`,
      );
      for (const line of formatComparison(rows)) ctx.print(line);
      return rows.every((r) => r.verified) ? 0 : 1;
    });
  },
});
