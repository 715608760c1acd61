import { writeFileAtomic } from '@metalayer/core/node';
import { streamSource, type ByteSource } from '../bytes/byte-source';

/**
 * Streams a source (a built or edited UKI) into `path` atomically: temp file,
 * fsync, rename, directory fsync. Mode defaults to 0644.
 */
export async function writeSourceFile(path: string, source: ByteSource, options: { mode?: number } = {}): Promise<void> {
  await writeFileAtomic(path, streamSource(source), { mode: options.mode ?? 0o644 });
}
