import { objectName, type FsVerityAlgorithm, type RegularFile } from '@metalayer/composefs';

/**
 * Side data of the tree's regular files that the tree types do not carry:
 * every fs-verity digest computed for an external file (one per algorithm),
 * and the content of the few small files the transforms must read.
 */
export class ExternalFiles {
  // Plain maps (not WeakMaps): ephemeron tables of tens of thousands of keys slow every GC,
  // and the entries live exactly as long as the tree anyway.
  private readonly digests = new Map<RegularFile, readonly Uint8Array[]>();
  private readonly contents = new Map<RegularFile, Uint8Array>();

  constructor(readonly algorithms: readonly FsVerityAlgorithm[]) {}

  setDigests(file: RegularFile, digests: readonly Uint8Array[]): void {
    this.digests.set(file, digests);
  }

  /** The digest of `file` for `algorithm`, when computed. */
  digestOf(file: RegularFile, algorithm: FsVerityAlgorithm): Uint8Array | undefined {
    const index = this.algorithms.indexOf(algorithm);
    return index < 0 ? undefined : this.digests.get(file)?.[index];
  }

  setContent(file: RegularFile, content: Uint8Array): void {
    this.contents.set(file, content);
  }

  /** Content kept for `file` (inline content always counts). */
  contentOf(file: RegularFile): Uint8Array | undefined {
    return file.content ?? this.contents.get(file);
  }

  /**
   * Gives `file` the digest and payload (`xx/<rest>`, the object's path in a
   * repository) of `algorithm`, as a composefs image names external files.
   */
  assign(file: RegularFile, algorithm: FsVerityAlgorithm): void {
    if (file.content !== undefined || file.size === 0) return;
    const digest = this.digestOf(file, algorithm);
    if (digest === undefined) throw new Error(`no ${algorithm} digest was computed for an external file`);
    file.digest = digest;
    file.payload = objectName(digest);
  }
}
