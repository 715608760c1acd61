import type { BootPayload, NamedComposefsDigest } from '@metalayer/core';
import { findComposefsArgs, formatComposefsArg, readUki, ukiCmdlines } from '@metalayer/boot';

/**
 * Every composefs digest the payload's command lines name: each UKI profile's
 * `.cmdline` (or the only one), or the BLS `options`. A malformed composefs
 * argument throws `ComposefsArgError` (setup-root would reject it too).
 */
export async function readComposefsDigests(payload: BootPayload): Promise<NamedComposefsDigest[]> {
  const cmdlines: { profile: number | undefined; cmdline: string | undefined }[] =
    payload.kind === 'uki'
      ? await ukiCmdlines(await readUki(payload.uki.data, { subject: payload.uki.name }))
      : [{ profile: undefined, cmdline: payload.options }];
  const named: NamedComposefsDigest[] = [];
  for (const { profile, cmdline } of cmdlines) {
    for (const arg of findComposefsArgs(cmdline ?? '')) {
      named.push({
        text: formatComposefsArg(arg),
        algorithm: arg.algorithm,
        hex: arg.hex,
        format: arg.version,
        insecure: arg.insecure,
        ...(profile === undefined ? {} : { profile }),
      });
    }
  }
  return named;
}
