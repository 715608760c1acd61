import { open, stat } from 'node:fs/promises';
import { detectStrategies } from '@metalayer/core';
import { inspectUki } from '@metalayer/boot';
import { lazyFileSource } from '@metalayer/boot/node';
import { resolveImage } from '@metalayer/oci';
import { defineCommand } from '../command';
import { imageOptions, openImageArg, imageArgOptions } from '../image-args';
import { strategyRegistry } from '../strategies';
import { withTempDir } from '../temp-dir';

/** Whether `path` is a regular file starting with the PE/DOS magic `MZ`. */
async function isPeFile(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return false;
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer.toString('latin1') === 'MZ';
  } finally {
    await handle.close();
  }
}

/** `metalayer inspect`: describe an image (layers, labels, strategies) or a UKI (sections, command lines). */
export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'Describe an image (manifest, layers, labels, attached strategies) or a UKI file (sections, command lines).',
  usage: 'inspect IMAGE | UKI-FILE',
  description: `
For an image reference: the manifest digest, config labels, each layer with its media type,
size and annotations, the artifacts that refer to it, and which strategies' marks it carries.
For a PE file (a UKI): its sections, profiles, command lines with their composefs arguments,
os-release and signature state.`,
  options: { ...imageOptions },
  positionals: { min: 1, max: 1 },
  examples: ['metalayer inspect oci:./build:bootable', 'metalayer inspect --json /boot/EFI/Linux/os.efi'],
  async run(ctx) {
    const target = ctx.positionals[0]!;
    if (!/^(oci|docker):/.test(target) && (await isPeFile(target))) {
      const summary = await inspectUki(await lazyFileSource(target));
      if (ctx.json) return void ctx.printJson({ file: target, ...summary });
      ctx.print(
        `${target}: ${summary.isUki ? 'UKI' : 'PE (no .linux: not a UKI)'}, ${summary.size} bytes, ${summary.signed ? 'signed' : 'unsigned'}`,
      );
      if (summary.uname) ctx.print(`  uname: ${summary.uname}`);
      if (summary.osRelease) ctx.print(`  os-release: ${summary.osRelease.PRETTY_NAME ?? summary.osRelease.NAME ?? '?'}`);
      for (const s of summary.sections) {
        ctx.print(
          `  ${s.name.padEnd(9)} vma 0x${s.virtualAddress.toString(16).padStart(8, '0')} size ${String(s.size).padStart(10)}${s.profile === undefined ? '' : ` @${s.profile}`}`,
        );
      }
      for (const c of summary.cmdlines) ctx.print(`  cmdline${c.profile === undefined ? '' : ` @${c.profile}`}: ${c.cmdline ?? '(none)'}`);
      return;
    }
    const image = await openImageArg(target, imageArgOptions(ctx.values));
    const resolved = await resolveImage(image.store, image.reference, { signal: ctx.signal });
    const referrers = await image.store.listReferrers(resolved.descriptor.digest, { signal: ctx.signal });
    const strategies = await withTempDir((tempDir) => detectStrategies(strategyRegistry(), { tempDir, signal: ctx.signal }, image));
    const labels = resolved.config.config?.Labels ?? {};
    const layers = resolved.manifest.layers.map((l, i) => ({ ...l, diffId: resolved.config.rootfs.diff_ids[i] ?? null }));
    if (ctx.json) {
      return void ctx.printJson({
        image: image.label,
        manifest: resolved.descriptor,
        config: resolved.manifest.config,
        labels,
        annotations: resolved.manifest.annotations ?? {},
        layers,
        referrers,
        strategies: strategies.map((s) => s.name),
      });
    }
    ctx.print(`${image.label}: ${resolved.descriptor.digest} (${resolved.descriptor.mediaType})`);
    ctx.print(`  strategies: ${strategies.map((s) => s.name).join(', ') || '(no payload attached)'}`);
    for (const [key, value] of Object.entries(labels)) ctx.print(`  label ${key}=${value}`);
    for (const [i, l] of layers.entries()) {
      ctx.print(`  layer ${i}: ${l.digest} ${l.size} bytes ${l.mediaType.replace('application/vnd.oci.image.layer.v1.', '')}`);
      for (const [key, value] of Object.entries(l.annotations ?? {})) ctx.print(`    ${key}=${value}`);
    }
    for (const r of referrers) ctx.print(`  referrer: ${r.digest} ${r.artifactType ?? r.mediaType}`);
  },
});
