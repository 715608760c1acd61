import { DigestMismatchError } from '@metalayer/core';
import { fsverityOfSource, PayloadFormatError } from '@metalayer/strategy-kit';
import type { FileDigestLabel } from './hidden-whiteout-labels';
import type { MetaPayload } from './payload-from-meta';

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

/**
 * Checks the fs-verity digest labels against the files read from the meta
 * layer: every file needs at least one label, every label must name a file
 * and match it. The labels are covered by the config digest, so a mismatch
 * means tampering or a bug, never something to repair: `DigestMismatchError`
 * (malformed or missing labels: `PayloadFormatError`). This checks the hints;
 * `verify` still recomputes the root digest independently.
 */
export async function checkFileDigests(labels: readonly FileDigestLabel[], meta: MetaPayload, subject: string): Promise<void> {
  for (const { role, path } of meta.files) {
    if (!labels.some((l) => l.role === role)) {
      throw new PayloadFormatError({ subject, reason: `no config label names the fs-verity digest of ${path} (${role})` });
    }
  }
  for (const label of labels) {
    const member = meta.files.find((f) => f.role === label.role);
    if (!member)
      throw new PayloadFormatError({
        subject,
        reason: `label ${label.key} names a ${label.role} file, which the meta layer does not have`,
      });
    if (!new RegExp(`^[0-9a-f]{${HEX_LENGTH[label.algorithm]}}$`).test(label.value)) {
      throw new PayloadFormatError({
        subject,
        reason: `label ${label.key} is not a ${label.algorithm} digest in lowercase hex: ${JSON.stringify(label.value)}`,
      });
    }
    const actual = await fsverityOfSource(member.data, label.algorithm);
    if (actual !== label.value) {
      throw new DigestMismatchError({
        subject: `${subject}: ${member.path} (config label ${label.key})`,
        expected: label.value,
        actual,
        hint: 'the config names another file than the meta layer holds: the image was altered or written by a faulty tool; do not boot it',
      });
    }
  }
}
