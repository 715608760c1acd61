import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '@metalayer/core/node';
import { streamSource, type ByteSource } from '../bytes/byte-source';
import { signPe, type SecureBootKey } from './sign-pe';

/** Options of {@link writeSourceFile}. */
export interface WriteSourceFileOptions {
  /** File mode (default 0644). */
  mode?: number;
  /** Sign the result with sbsign (verified with sbverify) before it appears at `path`. */
  sign?: SecureBootKey;
}

/**
 * Streams a source (a built or edited UKI) into `path` atomically: temp file,
 * fsync, rename, directory fsync. With `sign`, the unsigned bytes go to a
 * temp file that {@link signPe} signs into `path`, so `path` only ever holds
 * a complete, verified, signed file.
 */
export async function writeSourceFile(path: string, source: ByteSource, options: WriteSourceFileOptions = {}): Promise<void> {
  if (!options.sign) {
    await writeFileAtomic(path, streamSource(source), { mode: options.mode ?? 0o644 });
    return;
  }
  const unsigned = join(dirname(path), `.${basename(path)}.unsigned-${randomBytes(6).toString('hex')}`);
  try {
    await writeFileAtomic(unsigned, streamSource(source), { mode: 0o600, skipDirectorySync: true });
    await signPe(unsigned, path, options.sign, { mode: options.mode ?? 0o644 });
  } finally {
    await rm(unsigned, { force: true });
  }
}
