import type { BootPayload, PayloadFile } from '@metalayer/core';
import { sha256OfSource } from './source-digest';

/** What a payload file is for. */
export type PayloadRole = 'uki' | 'kernel' | 'initrd';

/** The files of a payload with their roles, in a fixed order (UKI; or kernel then initrds). */
export function payloadFiles(payload: BootPayload): { role: PayloadRole; file: PayloadFile }[] {
  if (payload.kind === 'uki') return [{ role: 'uki', file: payload.uki }];
  return [{ role: 'kernel', file: payload.kernel }, ...payload.initrds.map((file) => ({ role: 'initrd' as const, file }))];
}

/**
 * A digest of everything that makes a payload: its kind, each file's role,
 * name and sha256, and (BLS) the command line. Two payloads with the same
 * fingerprint boot the same way.
 */
export async function payloadFingerprint(payload: BootPayload): Promise<string> {
  const parts: string[] = [payload.kind];
  for (const { role, file } of payloadFiles(payload)) parts.push(`${role}:${file.name}:${await sha256OfSource(file.data)}`);
  if (payload.kind === 'bls') parts.push(`options:${payload.options}`);
  return parts.join('\n');
}
