import { verifyPayload } from '@metalayer/core';
import { createVerifyDependencies } from '@metalayer/strategy-kit';
import { defineCommand } from '../command';
import { ExitCode } from '../exit-codes';
import { locateFromArgs, locateOptions } from '../locate-args';
import { summarizePayload } from '../payload-summary';
import { withTempDir } from '../temp-dir';

/** `metalayer verify`: check payload → command-line digest → recomputed digest of the booted root. */
export const verifyCommand = defineCommand({
  name: 'verify',
  summary: "Check that an image's kernel command line names the composefs digest of the root it boots.",
  usage: 'verify [--strategy NAME] [--artifact DIGEST] [--allow-insecure] IMAGE',
  description: `
Finds the payload (as 'metalayer locate' does), reads the composefs digests its command
lines name, and recomputes the bootable composefs digest of the image the payload boots
from its layers (composefs-rs compute-id --bootable semantics). Labels and annotations are
never trusted. Exit status 0 when every named digest matches, 1 when not (the reason is
printed), other codes for unusable input.`,
  options: {
    ...locateOptions,
    'allow-insecure': { type: 'boolean', description: 'Accept the insecure composefs=?… form (fs-verity not enforced).' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer verify oci:./build:bootable',
    'metalayer verify --json docker://registry.example/os/base:41 | jq .recomputed',
    'metalayer verify --strategy artifact --artifact sha256:… oci:./build:base',
  ],
  async run(ctx) {
    return withTempDir(async (tempDir) => {
      const started = performance.now();
      const strategyCtx = { tempDir, signal: ctx.signal };
      const { image, located } = await locateFromArgs(ctx.positionals[0]!, ctx.values, strategyCtx);
      const report = await verifyPayload(strategyCtx, image.store, located, createVerifyDependencies(), {
        allowInsecure: Boolean(ctx.values['allow-insecure']),
      });
      const seconds = (performance.now() - started) / 1000;
      if (ctx.json) {
        ctx.printJson({
          reference: image.label,
          ...report,
          matched: report.matched ?? null,
          payload: await summarizePayload(located.payload),
          seconds,
        });
      } else {
        ctx.print(`${report.ok ? 'OK' : 'FAILED'}: ${image.label} (${report.strategy}, image ${report.image.digest})`);
        for (const named of report.named)
          ctx.print(`  command line: ${named.text}${named.profile === undefined ? '' : ` (profile @${named.profile})`}`);
        for (const r of report.recomputed) ctx.print(`  recomputed:   ${r.algorithm} EROFS v${r.erofsVersion} ${r.hex}`);
        for (const problem of report.problems) ctx.print(`  problem: ${problem}`);
      }
      return report.ok ? ExitCode.ok : ExitCode.verificationFailed;
    });
  },
});
