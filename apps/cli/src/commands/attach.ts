import { InvalidArgumentError, type ImageLocation } from '@metalayer/core';
import { copyImage, formatReference, openImageStore } from '@metalayer/oci';
import { defineCommand } from '../command';
import { digestOptions, digestSpecFromArgs } from '../digest-args';
import { imageOptions, openImageArg, sideStoreOptions, transferOptions } from '../image-args';
import { payloadFromArgs, payloadOptions } from '../payload-args';
import { payloadLines, summarizePayload } from '../payload-summary';
import { strategyRegistry } from '../strategies';
import { tagImage } from '../tag-image';
import { withTempDir } from '../temp-dir';

/** `metalayer attach`: seal a kernel for an image and attach it with one strategy. */
export const attachCommand = defineCommand({
  name: 'attach',
  summary: "Attach a kernel to an image so that its command line names the image's composefs digest.",
  usage: 'attach --strategy NAME (--uki FILE | --kernel FILE [--initrd FILE]… | --from-image) [--cmdline ARGS] [--stub FILE] SRC DEST',
  description: `
Computes the bootable composefs digest of SRC (composefs-rs compute-id --bootable
semantics), rewrites the payload's command line to carry composefs.digest=v1-<hash>-12:<hex>
(other arguments are kept), and attaches the payload with the chosen strategy:
  hidden-whiteout  a meta layer adds the kernel, the next layer whites it out (image tree unchanged)
  kernel-layer     one final layer puts the kernel into /boot (bootc/composefs-rs compatible)
  artifact         the image stays untouched; an OCI 1.1 artifact refers to it (referrers)
SRC and DEST are image references (oci:DIR[:TAG], docker://HOST/REPO[:TAG]); when DEST is
another store the image is copied there first. --from-image takes the kernel the image ships in
/usr/lib/modules/<kver>/{vmlinuz,initramfs.img}. A signed UKI is refused: sign after attaching.`,
  options: {
    strategy: { type: 'string', valueName: 'NAME', description: 'hidden-whiteout | kernel-layer | artifact.' },
    ...payloadOptions,
    ...digestOptions,
    ...transferOptions,
    platform: imageOptions.platform,
  },
  positionals: { min: 2, max: 2 },
  examples: [
    'metalayer attach --strategy kernel-layer --uki os.efi oci:./build:base oci:./build:bootable',
    'metalayer attach --strategy artifact --kernel vmlinuz --initrd initrd.img --cmdline "rw quiet" oci:./build:base oci:./build:base',
    'metalayer attach --strategy hidden-whiteout --kernel vmlinuz --initrd initrd.img --stub /usr/lib/systemd/boot/efi/linuxx64.efi.stub oci:./b:base oci:./b:sealed --json',
    'metalayer attach --strategy kernel-layer --from-image --stub /usr/lib/systemd/boot/efi/linuxx64.efi.stub --cmdline "rw" oci:./b:base oci:./b:sealed',
  ],
  async run(ctx) {
    const [src, dest] = ctx.positionals as [string, string];
    const registry = strategyRegistry();
    if (!ctx.values.strategy) {
      throw new InvalidArgumentError({
        argument: '--strategy',
        message: '--strategy is required',
        hint: `one of ${registry.names.join(', ')}`,
      });
    }
    const strategy = registry.get(ctx.values.strategy);
    const digest = digestSpecFromArgs(ctx.values);
    const source = await openImageArg(src, {
      ...sideStoreOptions(ctx.values, 'src'),
      ...(ctx.values.platform ? { platform: ctx.values.platform } : {}),
    });
    // DEST may be a new, empty layout: open only its store.
    const destination = await openImageStore(dest, {
      ...sideStoreOptions(ctx.values, 'dest'),
      create: true,
    });
    if (destination.reference.digest) {
      throw new InvalidArgumentError({
        argument: 'DEST',
        value: dest,
        message: 'DEST names a digest; give a tag (the result is a new manifest)',
      });
    }
    const label = formatReference(destination.reference);
    const tag = destination.reference.tag;
    return withTempDir(async (tempDir) => {
      const payload = await payloadFromArgs(ctx.values, { tempDir, signal: ctx.signal }, source);
      let image: ImageLocation = { store: source.store, reference: source.reference };
      if (source.store.location !== destination.store.location) {
        const copied = await copyImage(source.store, source.reference, destination.store, { signal: ctx.signal });
        image = { store: destination.store, reference: copied.manifest.digest };
      }
      const result = await strategy.attach(
        { tempDir, signal: ctx.signal, ...(ctx.verbose ? { log: (m: string) => ctx.warn(m) } : {}) },
        { image, ...(tag ? { tag } : {}), payload, digest },
      );
      // The image itself is unchanged: point DEST's tag at it.
      if (tag && !strategy.capabilities.changesImageDigest) await tagImage(destination.store, result.image.digest, tag);
      const summary = await summarizePayload(result.payload);
      const karg = summary.composefs[0] ?? '';
      const addedBytes = result.added.reduce((n, d) => n + d.size, 0);
      if (ctx.json) {
        ctx.printJson({
          strategy: result.strategy,
          destination: label,
          image: result.image,
          artifact: result.artifact ?? null,
          composefsDigest: result.composefsDigest,
          kernelArgument: karg,
          added: result.added,
          addedBytes,
          payload: summary,
        });
        return;
      }
      ctx.print(`${strategy.name}: ${label} -> ${result.image.digest}`);
      if (result.artifact) ctx.print(`artifact: ${result.artifact.digest}`);
      ctx.print(`kernel argument: ${karg}`);
      ctx.print(`added: ${result.added.length} blobs, ${addedBytes} bytes`);
      for (const line of payloadLines(summary)) ctx.print(line);
    });
  },
});
