import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { InvalidArgumentError } from '@metalayer/core';
import {
  computeErofsImageDigest,
  parseDumpfile,
  planErofsImage,
  toHex,
  writeErofsImageFile,
  type FsVerityAlgorithm,
} from '@metalayer/composefs';
import { defineCommand, type CommandContext, type OptionSpecs } from '../command';

/** Parses `--digest-algo`: sha256 (default) or sha512. */
export function digestAlgorithmOption(value: string | undefined): FsVerityAlgorithm {
  if (value === undefined || value === 'sha256' || value === 'sha512') return value ?? 'sha256';
  throw new InvalidArgumentError({
    argument: '--digest-algo',
    value,
    message: `--digest-algo must be sha256 or sha512, got "${value}"`,
  });
}

function versionOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError({ argument: name, value, message: `invalid ${name.slice(2)} "${value}"` });
  }
  return Number(value);
}

async function openDumpfile(ctx: CommandContext<OptionSpecs>, source: string): Promise<AsyncIterable<Uint8Array>> {
  if (source === '-') return ctx.io.stdin;
  const path = resolve(ctx.io.cwd, source);
  const { size } = await stat(path);
  const progress = ctx.progress('reading dumpfile', size, 'bytes');
  return (async function* counted() {
    let done = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      progress.update((done += (chunk as Buffer).length));
      yield chunk as Buffer;
    }
    progress.finish();
  })();
}

/** `metalayer mkcomposefs`: C `mkcomposefs --from-file`, byte for byte. */
export const mkcomposefsCommand = defineCommand({
  name: 'mkcomposefs',
  summary: 'Build a composefs EROFS image from a dumpfile, byte-identical to C mkcomposefs.',
  usage: 'mkcomposefs [options] --from-file DUMPFILE [OUT]',
  description: `
Reads a composefs-dump(5) file (DUMPFILE, or - for stdin) and writes the EROFS image to OUT
(- for stdout, refused on a terminal). The image is byte-identical to C
\`mkcomposefs --from-file\` with the same flags. OUT is replaced atomically.

Format versions follow mkcomposefs: by default 0, or 1 when the tree has an overlay whiteout
(char device 0/0); if only one of --min-version/--max-version is given the other is 0; a
maximum below the minimum is raised to it. Version 1 is what composefs-rs calls V1.

--print-digest prints the image's fs-verity digest (the composefs image id, as
\`fsverity digest\` would) in hex; --print-digest-only computes it without writing.
Directory-source flags of C mkcomposefs (--digest-store, --use-epoch, --skip-xattrs, ...)
have no effect with --from-file and are not offered.`,
  options: {
    'from-file': { type: 'boolean', description: 'The source is a dumpfile (required: directory sources are not supported).' },
    'min-version': { type: 'string', valueName: 'N', description: 'Lowest composefs format version, 0 or 1.' },
    'max-version': { type: 'string', valueName: 'N', description: 'Highest composefs format version, 0 or 1.' },
    'digest-algo': { type: 'string', valueName: 'ALG', description: 'fs-verity hash for the printed digest: sha256 (default) or sha512.' },
    'print-digest': { type: 'boolean', description: 'Print the fs-verity digest of the written image.' },
    'print-digest-only': { type: 'boolean', description: 'Only compute and print the digest; write no image (OUT must be omitted).' },
  },
  positionals: { min: 1, max: 2 },
  examples: [
    'metalayer mkcomposefs --from-file rootfs.dump rootfs.cfs',
    'metalayer mkcomposefs --min-version 1 --max-version 1 --print-digest --from-file rootfs.dump rootfs.cfs',
    'metalayer mkcomposefs --print-digest-only --digest-algo sha512 --from-file - < rootfs.dump',
    'cfsctl oci dump IMAGE | metalayer mkcomposefs --from-file - - > image.cfs',
  ],
  async run(ctx) {
    const { values } = ctx;
    const [source, out] = ctx.positionals as [string, string | undefined];
    if (!values['from-file']) {
      throw new InvalidArgumentError({
        argument: '--from-file',
        message: 'only dumpfile sources are supported',
        hint: 'pass --from-file (make one with `cfsctl create-dumpfile` or `metalayer composefs-info dump`)',
      });
    }
    const digestOnly = Boolean(values['print-digest-only']);
    if (digestOnly && out !== undefined) {
      throw new InvalidArgumentError({ argument: 'OUT', value: out, message: 'cannot name an output with --print-digest-only' });
    }
    if (!digestOnly && out === undefined) {
      throw new InvalidArgumentError({
        argument: 'OUT',
        message: 'no output image given',
        hint: 'name OUT, use - for stdout, or pass --print-digest-only',
      });
    }
    const toStdout = out === '-';
    if (toStdout && ctx.io.stdoutIsTTY) {
      throw new InvalidArgumentError({ argument: 'OUT', value: out, message: 'stdout is a terminal; refusing to write an image to it' });
    }
    if (toStdout && (values['print-digest'] || ctx.json)) {
      throw new InvalidArgumentError({
        argument: 'OUT',
        value: out,
        message: 'the image goes to stdout, so --print-digest and --json cannot use it',
        hint: 'write to a file, or run `metalayer composefs-info measure-file` on the result',
      });
    }
    const algorithm = digestAlgorithmOption(values['digest-algo']);
    const options = {
      minVersion: versionOption('--min-version', values['min-version']),
      maxVersion: versionOption('--max-version', values['max-version']),
    };
    const versions = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));

    const tree = await parseDumpfile(await openDumpfile(ctx, source), { signal: ctx.signal });
    let result: { version: number; size: number; digest?: Uint8Array };
    let image: string | null = null;
    if (digestOnly) {
      result = computeErofsImageDigest(tree, { ...versions, digestAlgorithm: algorithm });
    } else if (toStdout) {
      const plan = planErofsImage(tree, versions);
      for (const chunk of plan.chunks()) {
        ctx.signal.throwIfAborted();
        if (!ctx.io.stdout.write(chunk)) await once(ctx.io.stdout, 'drain');
      }
      result = { version: plan.version, size: plan.size };
    } else {
      image = resolve(ctx.io.cwd, out!);
      const wantDigest = Boolean(values['print-digest']) || ctx.json;
      result = await writeErofsImageFile(tree, image, {
        ...versions,
        signal: ctx.signal,
        ...(wantDigest ? { digestAlgorithm: algorithm } : {}),
      });
    }
    if (ctx.json) {
      ctx.printJson({
        image,
        size: result.size,
        composefsVersion: result.version,
        digestAlgorithm: algorithm,
        digest: result.digest ? toHex(result.digest) : null,
      });
    } else if (result.digest && (digestOnly || values['print-digest'])) {
      ctx.print(toHex(result.digest));
    }
  },
});
