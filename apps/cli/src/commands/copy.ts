import { InvalidArgumentError } from '@metalayer/core';
import { copyImage, formatReference, openImageStore, parsePlatform } from '@metalayer/oci';
import { defineCommand } from '../command';
import { sideStoreOptions, soleLayoutEntry, transferOptions } from '../image-args';

/** `metalayer copy`: copy an image (and its referrers) between OCI layouts and registries. */
export const copyCommand = defineCommand({
  name: 'copy',
  summary: 'Copy an image, byte for byte, between OCI layouts and registries (referrers too).',
  usage: 'copy [options] SRC DEST',
  description: `
SRC and DEST are image references in skopeo syntax: oci:DIR[:TAG], oci:DIR@sha256:HEX,
docker://HOST[:PORT]/REPO[:TAG|@DIGEST]. Manifests are copied unchanged, so digests stay
the same; blobs stream and are verified on both ends; blobs the destination already has
are skipped. With --referrers, artifacts whose subject is the image (signatures, SBOMs,
kernel artifacts) are copied too, through the registry's referrers API or the
sha256-<hex> fallback tag, and listed untagged in a layout's index.json.`,
  options: {
    referrers: { type: 'boolean', description: 'Also copy artifacts that refer to the image (and their referrers).' },
    all: { type: 'boolean', description: 'Copy a whole image index with every platform, not just one.' },
    platform: {
      type: 'string',
      valueName: 'OS/ARCH[/VARIANT]',
      description: 'Platform to pick from an image index (default linux/amd64).',
    },
    ...transferOptions,
  },
  positionals: { min: 2, max: 2 },
  examples: [
    'metalayer copy oci:./out:v1 docker://registry.example:5000/os/base:v1 --referrers',
    'metalayer copy --src-tls-verify=false docker://127.0.0.1:5000/os/base:v1 oci:/srv/images:v1',
    'metalayer copy --platform linux/arm64 docker://quay.io/org/img:1 oci:./img:1 --json',
  ],
  async run(ctx) {
    const [src, dest] = ctx.positionals as [string, string];
    const source = await openImageStore(src, sideStoreOptions(ctx.values, 'src'));
    const destination = await openImageStore(dest, { ...sideStoreOptions(ctx.values, 'dest'), create: true });
    if (destination.reference.digest) {
      throw new InvalidArgumentError({
        argument: 'DEST',
        value: dest,
        message: 'the destination cannot name a digest: the copy keeps the source digest',
        hint: 'give a tag, or none',
      });
    }
    const target = source.target ?? (await soleLayoutEntry(source.store));
    const progress = ctx.progress(`copy ${formatReference(source.reference)}`, undefined, 'bytes');
    const result = await copyImage(source.store, target, destination.store, {
      ...(destination.reference.tag !== undefined ? { tag: destination.reference.tag } : {}),
      ...(ctx.values.platform ? { platform: parsePlatform(ctx.values.platform) } : {}),
      all: Boolean(ctx.values.all),
      referrers: Boolean(ctx.values.referrers),
      signal: ctx.signal,
      onProgress: (bytes, blob) => progress.update(bytes, blob.digest.slice(7, 19)),
    });
    const skipped = result.blobs.filter((b) => b.action !== 'copied').length;
    progress.finish(`${result.bytesCopied} bytes`);
    if (ctx.json) {
      ctx.printJson({
        source: formatReference(source.reference),
        destination: formatReference(destination.reference),
        digest: result.manifest.digest,
        mediaType: result.manifest.mediaType,
        size: result.manifest.size,
        manifests: result.manifests,
        blobs: result.blobs,
        bytesCopied: result.bytesCopied,
        referrers: result.referrers.map((r) => ({ digest: r.digest, artifactType: r.artifactType ?? null })),
      });
      return;
    }
    ctx.print(`${result.manifest.digest}`);
    ctx.print(
      `copied ${result.blobs.length - skipped} of ${result.blobs.length} blobs (${result.bytesCopied} bytes), ${skipped} already present; ${result.referrers.length} referrers`,
    );
  },
});
