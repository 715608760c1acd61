import { createHash, hash as oneShotHash } from 'node:crypto';
import { InvalidArgumentError } from '@metalayer/core';
import {
  FSVERITY_BLOCK_SIZE,
  FSVERITY_LOG_BLOCK_SIZE,
  fsverityAlgorithmInfo,
  type FsVerityAlgorithm,
  type FsVerityAlgorithmInfo,
} from './fsverity-algorithm';

// struct fsverity_descriptor (Linux Documentation/filesystems/fsverity.rst), little endian.
const DESCRIPTOR_SIZE = 256;
const DESC_VERSION = 0; // u8, always 1
const DESC_HASH_ALGORITHM = 1; // u8
const DESC_LOG_BLOCKSIZE = 2; // u8
const DESC_SALT_SIZE = 3; // u8, 0: composefs uses no salt
const DESC_DATA_SIZE = 8; // __le64
const DESC_ROOT_HASH = 16; // u8[64], zero padded

type HashFn = (data: Uint8Array) => Uint8Array;

// `crypto.hash` (Node >= 20.12) skips the Hash object per call, which matters
// at one call per 4096-byte block; older runtimes fall back to createHash.
function makeHashFn(algorithm: FsVerityAlgorithm): HashFn {
  if (typeof oneShotHash === 'function') return (data) => oneShotHash(algorithm, data, 'buffer');
  return (data) => createHash(algorithm).update(data).digest();
}

interface Level {
  /** One tree block being filled with hashes of the level below. */
  readonly block: Uint8Array;
  fill: number;
  /** Hashes received in total at this level. */
  count: number;
}

/**
 * Incremental fs-verity digest (version 1 descriptor, 4096-byte blocks, no salt),
 * equal to `fsverity digest --compact` and to the kernel's file measurement.
 *
 * Memory is one data block plus one block per tree level, whatever the input
 * size; chunk boundaries passed to {@link update} never change the result.
 */
export class FsVerityHasher {
  readonly algorithm: FsVerityAlgorithm;
  private readonly info: FsVerityAlgorithmInfo;
  private readonly hashFn: HashFn;
  private readonly pending = new Uint8Array(FSVERITY_BLOCK_SIZE);
  private pendingLength = 0;
  private readonly levels: Level[] = [];
  private size = 0;
  private finished = false;
  /** Set once a partial final block went in through updateBlockHashes: nothing may follow. */
  private sealed = false;

  constructor(algorithm: FsVerityAlgorithm = 'sha256') {
    this.info = fsverityAlgorithmInfo(algorithm);
    this.algorithm = algorithm;
    this.hashFn = makeHashFn(algorithm);
  }

  /** Bytes hashed so far. */
  get length(): number {
    return this.size;
  }

  /** Feeds more file content; any chunking gives the same digest. */
  update(data: Uint8Array): this {
    if (this.finished || this.sealed) {
      throw new InvalidArgumentError({
        argument: 'update',
        message: this.finished ? 'fs-verity hasher already finished' : 'data after a partial final block',
      });
    }
    const total = data.length;
    let offset = 0;
    this.size += total;
    if (this.pendingLength > 0) {
      const take = Math.min(FSVERITY_BLOCK_SIZE - this.pendingLength, total);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength < FSVERITY_BLOCK_SIZE) return this;
      this.pushHash(0, this.hashFn(this.pending));
      this.pendingLength = 0;
    }
    // Whole blocks are hashed straight from the caller's buffer: no copy.
    while (total - offset >= FSVERITY_BLOCK_SIZE) {
      this.pushHash(0, this.hashFn(data.subarray(offset, offset + FSVERITY_BLOCK_SIZE)));
      offset += FSVERITY_BLOCK_SIZE;
    }
    if (offset < total) {
      this.pending.set(data.subarray(offset), 0);
      this.pendingLength = total - offset;
    }
    return this;
  }

  /**
   * Adds the level-0 hashes of whole data blocks computed elsewhere (e.g. in
   * worker threads): `hashes` holds one digest for each of the next
   * blocks covering `dataLength` bytes, the last of which may be partial.
   * Only valid while no partial block is pending.
   */
  updateBlockHashes(hashes: Uint8Array, dataLength: number): this {
    const ds = this.info.digestSize;
    if (this.finished || this.sealed || this.pendingLength !== 0 || hashes.length % ds !== 0) {
      throw new InvalidArgumentError({
        argument: 'updateBlockHashes',
        message: 'block hashes must follow whole blocks and be a whole number of digests',
      });
    }
    const blocks = hashes.length / ds;
    if (Math.ceil(dataLength / FSVERITY_BLOCK_SIZE) !== blocks) {
      throw new InvalidArgumentError({
        argument: 'updateBlockHashes',
        message: `${blocks} block hashes do not cover ${dataLength} bytes`,
      });
    }
    for (let i = 0; i < blocks; i++) this.pushHash(0, hashes.subarray(i * ds, (i + 1) * ds));
    this.size += dataLength;
    // A partial final block ends the data: nothing may follow it.
    if (dataLength % FSVERITY_BLOCK_SIZE !== 0) this.sealed = true;
    return this;
  }

  /** Finishes and returns the fs-verity digest (32 or 64 bytes). */
  digest(): Uint8Array {
    if (this.finished) {
      throw new InvalidArgumentError({ argument: 'digest', message: 'fs-verity hasher already finished' });
    }
    this.finished = true;
    const descriptor = new Uint8Array(DESCRIPTOR_SIZE);
    descriptor[DESC_VERSION] = 1;
    descriptor[DESC_HASH_ALGORITHM] = this.info.id;
    descriptor[DESC_LOG_BLOCKSIZE] = FSVERITY_LOG_BLOCK_SIZE;
    descriptor[DESC_SALT_SIZE] = 0;
    new DataView(descriptor.buffer).setBigUint64(DESC_DATA_SIZE, BigInt(this.size), true);
    // Empty input: the root hash stays all zeros, as the kernel defines it.
    if (this.size > 0) descriptor.set(this.rootHash(), DESC_ROOT_HASH);
    return new Uint8Array(this.hashFn(descriptor));
  }

  private rootHash(): Uint8Array {
    if (this.pendingLength > 0) {
      this.pending.fill(0, this.pendingLength);
      this.pushHash(0, this.hashFn(this.pending));
      this.pendingLength = 0;
    }
    const ds = this.info.digestSize;
    for (let i = 0; ; i++) {
      const level = this.levels[i]!;
      if (level.count === 1) return level.block.slice(0, ds);
      if (level.fill > 0) {
        level.block.fill(0, level.fill);
        level.fill = 0;
        this.pushHash(i + 1, this.hashFn(level.block));
      }
    }
  }

  private pushHash(index: number, digest: Uint8Array): void {
    let level = this.levels[index];
    if (level === undefined) {
      level = { block: new Uint8Array(FSVERITY_BLOCK_SIZE), fill: 0, count: 0 };
      this.levels.push(level);
    }
    level.block.set(digest, level.fill);
    level.fill += digest.length;
    level.count++;
    if (level.fill === FSVERITY_BLOCK_SIZE) {
      level.fill = 0;
      this.pushHash(index + 1, this.hashFn(level.block));
    }
  }
}

/** Starts an incremental fs-verity digest. */
export function createFsVerityHasher(algorithm: FsVerityAlgorithm = 'sha256'): FsVerityHasher {
  return new FsVerityHasher(algorithm);
}

/** fs-verity digest of bytes held in memory. */
export function fsverityDigest(data: Uint8Array, algorithm: FsVerityAlgorithm = 'sha256'): Uint8Array {
  return new FsVerityHasher(algorithm).update(data).digest();
}
