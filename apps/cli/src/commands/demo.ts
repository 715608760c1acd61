import { mkdir, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_DIGEST_SPEC, InvalidArgumentError } from '@metalayer/core';
import { openLayout } from '@metalayer/oci';
import { defineCommand } from '../command';
import { compareStrategies, formatComparison } from '../compare/compare-strategies';
import { writeDemoImage } from '../demo/demo-image';
import { makeDemoPayload } from '../demo/demo-payload';
import { strategyRegistry } from '../strategies';
import { withTempDir } from '../temp-dir';

/** `metalayer demo`: the whole job on a built-in example, in seconds. */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'Build a small example OS image, attach its kernel with every strategy, verify and compare.',
  usage: 'demo [--output DIR]',
  description: `
Generates a two-layer OS image (nothing is downloaded), takes a kernel (this machine's,
or $METALAYER_KERNEL_DIR/vmlinuz, or a generated stand-in when none is readable), builds a
UKI on the systemd stub when systemd-boot-efi is installed (else a BLS type #1 payload),
then for every strategy: attach, locate, verify (recomputing the composefs digest), and
prints the comparison table. With --output the layouts stay in DIR for a closer look.`,
  options: {
    output: { type: 'string', valueName: 'DIR', description: 'Keep the images in DIR (one OCI layout per strategy).' },
  },
  positionals: { min: 0, max: 0 },
  examples: ['metalayer demo', 'metalayer demo --output ./demo && metalayer verify oci:./demo/kernel-layer:attached'],
  async run(ctx) {
    const run = async (workDir: string) => {
      const log = (line: string) => {
        if (!ctx.json) ctx.print(line);
      };
      const sourceDir = resolve(workDir, 'source');
      const store = await openLayout(sourceDir, { create: true });
      const image = await writeDemoImage(store, 'demo');
      log(`demo image: oci:${sourceDir}:demo (${image.digest})`);
      const demo = await makeDemoPayload(workDir, ctx.io.env);
      log(`kernel: ${demo.kernel}`);
      log(`payload: ${demo.payload.kind === 'uki' ? `UKI built on ${demo.stub}` : 'BLS type #1 (install systemd-boot-efi for a UKI)'}`);
      const rows = await compareStrategies({
        registry: strategyRegistry(),
        image: { store, reference: 'demo' },
        payload: demo.payload,
        digest: DEFAULT_DIGEST_SPEC,
        workDir,
        signal: ctx.signal,
        onStrategy: (name) => log(`attaching with ${name} …`),
      });
      const digests = new Set(rows.map((r) => r.composefsDigest));
      if (ctx.json) {
        ctx.printJson({
          image: image.digest,
          kernel: demo.kernel,
          payload: demo.payload.kind,
          strategies: rows,
          output: ctx.values.output ? workDir : null,
        });
      } else {
        ctx.print('');
        ctx.print(`every strategy names composefs.digest=v1-sha512-12:${[...digests].join(' / ')}`);
        ctx.print('');
        for (const line of formatComparison(rows)) ctx.print(line);
        if (ctx.values.output) {
          ctx.print('');
          ctx.print('look closer:');
          for (const r of rows) ctx.print(`  metalayer verify oci:${resolve(workDir, r.strategy)}:attached`);
        }
      }
      return rows.every((r) => r.verified) && digests.size === 1 ? 0 : 1;
    };
    if (ctx.values.output) {
      const dir = resolve(ctx.io.cwd, ctx.values.output);
      await mkdir(dir, { recursive: true });
      if ((await readdir(dir)).length > 0) {
        throw new InvalidArgumentError({
          argument: '--output',
          value: dir,
          message: `${dir} is not empty`,
          hint: 'give a new or empty directory',
        });
      }
      return run(dir);
    }
    return withTempDir(run, 'metalayer-demo-');
  },
});
