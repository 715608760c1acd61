import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fsverityDigestFile, toHex } from '@metalayer/composefs';
import { defineCommand } from '../command';
import { digestAlgorithmOption } from './mkcomposefs';

/** `metalayer composefs-info measure-file`: fs-verity digests of files, computed in user space. */
export const composefsInfoMeasureFileCommand = defineCommand({
  name: 'composefs-info measure-file',
  summary: 'Print the fs-verity digest of files (what a composefs image or object is named by).',
  usage: 'composefs-info measure-file [options] FILE...',
  description: `
Computes each file's fs-verity digest (4096-byte blocks, no salt) without needing fs-verity
support from the filesystem, streaming the file: the same value as
\`fsverity digest --compact\` and as C \`composefs-info measure-file\`. Of a composefs image,
this is its image id.`,
  options: {
    'digest-algo': { type: 'string', valueName: 'ALG', description: 'sha256 (default) or sha512.' },
  },
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER },
  examples: [
    'metalayer composefs-info measure-file rootfs.cfs',
    'metalayer composefs-info measure-file --digest-algo sha512 objects/*/* --json',
  ],
  async run(ctx) {
    const algorithm = digestAlgorithmOption(ctx.values['digest-algo']);
    const results: Array<{ file: string; size: number; algorithm: string; digest: string }> = [];
    for (const file of ctx.positionals) {
      const path = resolve(ctx.io.cwd, file);
      const { size } = await stat(path);
      const digest = toHex(await fsverityDigestFile(path, algorithm, { signal: ctx.signal }));
      if (ctx.json) results.push({ file, size, algorithm, digest });
      else ctx.print(digest);
    }
    if (ctx.json) ctx.printJson(results);
  },
});
