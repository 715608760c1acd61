import { join } from 'node:path';
import type { BootPayload, ComposefsDigestValue, PayloadFile, StrategyContext } from '@metalayer/core';
import { editUkiCmdline, setComposefsArgs, type ComposefsDigestArg } from '@metalayer/boot';
import { lazyFileSource, writeSourceFile } from '@metalayer/boot/node';

/** The composefs argument metalayer writes: `composefs.digest=v1-<alg>-12:<hex>`. */
export function composefsArgFor(digest: ComposefsDigestValue): ComposefsDigestArg {
  return { algorithm: digest.algorithm, hex: digest.hex, version: 'v1', insecure: false, form: 'digest' };
}

let counter = 0;

/**
 * Returns the payload with its command line naming `digest`: every composefs
 * argument replaced (or one appended), every other argument kept. A UKI is
 * rewritten into a file under `ctx.tempDir` (a signed UKI is refused with
 * `SignedPeError`: its signature would break); BLS `options` are edited.
 */
export async function sealPayload(ctx: StrategyContext, payload: BootPayload, digest: ComposefsDigestValue): Promise<BootPayload> {
  const arg = composefsArgFor(digest);
  if (payload.kind === 'bls') return { ...payload, options: setComposefsArgs(payload.options, arg) };
  const edited = await editUkiCmdline(payload.uki.data, (current) => setComposefsArgs(current ?? '', arg), {
    subject: payload.uki.name,
  });
  if (!edited.changed) return payload;
  const path = join(ctx.tempDir, `sealed-${process.pid}-${counter++}-${payload.uki.name}`);
  await writeSourceFile(path, edited.source);
  const uki: PayloadFile = { name: payload.uki.name, data: await lazyFileSource(path) };
  return { ...payload, uki };
}
