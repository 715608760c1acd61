import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { streamSource } from '@metalayer/boot';
import { writeFileAtomic } from '@metalayer/core/node';
import { payloadFiles } from '@metalayer/strategy-kit';
import { defineCommand } from '../command';
import { locateFromArgs, locateOptions } from '../locate-args';
import { payloadLines, summarizePayload } from '../payload-summary';
import { withTempDir } from '../temp-dir';

/** `metalayer locate`: find the kernel attached to an image. */
export const locateCommand = defineCommand({
  name: 'locate',
  summary: 'Find the boot payload attached to an image, and where it came from.',
  usage: 'locate [--strategy NAME] [--artifact DIGEST] [--extract DIR] IMAGE',
  description: `
Detects which strategy attached a kernel to IMAGE (or uses --strategy), finds the payload
by its explicit marks (labels, layer annotations, referrers), checks every blob it reads
against its digest, and prints the payload's files, command lines and origin. Labels are
only hints: use 'metalayer verify' to recompute the digest the command line must name.`,
  options: {
    ...locateOptions,
    extract: { type: 'string', valueName: 'DIR', description: 'Also write the payload files into DIR.' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer locate oci:./build:bootable',
    'metalayer locate --strategy artifact --json docker://registry.example/os/base:41',
    'metalayer locate --extract ./esp-payload oci:./build:sealed',
  ],
  async run(ctx) {
    return withTempDir(async (tempDir) => {
      const { image, located } = await locateFromArgs(ctx.positionals[0]!, ctx.values, { tempDir, signal: ctx.signal });
      const summary = await summarizePayload(located.payload);
      const extracted: string[] = [];
      if (ctx.values.extract) {
        await mkdir(ctx.values.extract, { recursive: true });
        for (const { file } of payloadFiles(located.payload)) {
          const path = join(ctx.values.extract, file.name);
          await writeFileAtomic(path, streamSource(file.data));
          extracted.push(path);
        }
      }
      if (ctx.json) {
        ctx.printJson({
          image: image.label,
          strategy: located.strategy,
          manifest: located.image.descriptor,
          origin: located.origin,
          payload: summary,
          claims: located.claims,
          extracted,
        });
        return;
      }
      ctx.print(`${image.label}: ${located.strategy} (image ${located.image.descriptor.digest})`);
      const origin = located.origin;
      ctx.print(
        origin.kind === 'layer'
          ? `origin: layer ${origin.layer.digest} (diff_id ${origin.diffId}): ${origin.paths.join(', ')}`
          : `origin: artifact ${origin.manifest.digest} (${origin.blobs.length} blobs)`,
      );
      for (const line of payloadLines(summary)) ctx.print(line);
      for (const [key, value] of Object.entries(located.claims)) ctx.print(`claim (unverified): ${key}=${value}`);
      for (const path of extracted) ctx.print(`wrote ${path}`);
    });
  },
});
