import type { BootPayload } from '@metalayer/core';
import { payloadFiles, readComposefsDigests, sha256OfSource } from '@metalayer/strategy-kit';
import { readUki, ukiCmdlines } from '@metalayer/boot';

/** A JSON-ready description of a payload: files with sizes and digests, command lines, composefs arguments. */
export interface PayloadSummary {
  kind: BootPayload['kind'];
  kernelVersion: string | null;
  files: { role: string; name: string; size: number; digest: string }[];
  cmdlines: { profile: number | null; cmdline: string | null }[];
  composefs: string[];
}

/** Describes a payload (reads each file once to hash it). */
export async function summarizePayload(payload: BootPayload): Promise<PayloadSummary> {
  const files = [];
  for (const { role, file } of payloadFiles(payload)) {
    files.push({ role, name: file.name, size: file.data.size, digest: await sha256OfSource(file.data) });
  }
  const cmdlines =
    payload.kind === 'uki'
      ? (await ukiCmdlines(await readUki(payload.uki.data, { subject: payload.uki.name }))).map((c) => ({
          profile: c.profile ?? null,
          cmdline: c.cmdline ?? null,
        }))
      : [{ profile: null, cmdline: payload.options }];
  return {
    kind: payload.kind,
    kernelVersion: payload.kernelVersion ?? null,
    files,
    cmdlines,
    composefs: (await readComposefsDigests(payload)).map((d) => d.text),
  };
}

/** Human lines for a payload summary. */
export function payloadLines(summary: PayloadSummary): string[] {
  const lines = [`payload: ${summary.kind}${summary.kernelVersion ? ` (kernel ${summary.kernelVersion})` : ''}`];
  for (const f of summary.files) lines.push(`  ${f.role.padEnd(7)} ${f.name}  ${f.size} bytes  ${f.digest}`);
  for (const c of summary.cmdlines) lines.push(`  cmdline${c.profile === null ? '' : ` @${c.profile}`}: ${c.cmdline ?? '(none)'}`);
  return lines;
}
