import type { FileVerity, VerityPool } from '../hashing/verity-pool';
import { INLINE_CONTENT_MAX, MAX_SELINUX_CONFIG_SIZE } from '../limits';
import type { LayerEntry } from './layer-entry';
import type { ObjectFeed, SinkFile } from './object-feed';

type RegularEntry = Extract<LayerEntry, { kind: 'regular' }>;

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Where the content of a layer's regular files goes while the tar parser
 * hands it out, piece by piece, synchronously: files of at most 64 bytes are
 * kept inline, larger ones are fs-verity hashed by the pool (and written to
 * the object sink when deploying); the few files the transforms read are
 * copied aside. Digests land on the entries when the pool delivers them.
 */
export class LayerContent {
  externalFiles = 0;
  externalBytes = 0;
  /** Content bytes seen so far. */
  bytes = 0;
  #entry: RegularEntry | undefined;
  #fill = 0;
  #verity: FileVerity | undefined;
  #object: SinkFile | undefined;
  #kept: Uint8Array[] | undefined;

  constructor(
    private readonly pool: VerityPool,
    private readonly objects: ObjectFeed | undefined,
    private readonly capture: (names: readonly string[]) => boolean,
  ) {}

  /** The parser met an entry; its body (possibly empty) follows. */
  start(entry: LayerEntry): void {
    if (entry.kind !== 'regular') {
      this.#entry = undefined;
      return;
    }
    this.#entry = entry;
    this.#fill = 0;
    const keep = this.capture(entry.names);
    if (entry.size <= INLINE_CONTENT_MAX) {
      entry.content = new Uint8Array(entry.size);
      if (keep) entry.captured = entry.content;
      return;
    }
    this.externalFiles++;
    this.externalBytes += entry.size;
    this.#verity = this.pool.begin();
    this.#object = this.objects?.open();
    this.#kept = keep && entry.size <= MAX_SELINUX_CONFIG_SIZE ? [] : undefined;
  }

  /** The next bytes of the current entry's body (a view of the input: copied if kept). */
  data(bytes: Uint8Array): void {
    const entry = this.#entry!;
    this.bytes += bytes.length;
    if (entry.content !== undefined) {
      entry.content.set(bytes, this.#fill);
      this.#fill += bytes.length;
      return;
    }
    this.#verity!.update(bytes);
    this.#object?.write(bytes);
    this.#kept?.push(bytes.slice());
  }

  /** The current entry's body is complete. */
  end(): void {
    const entry = this.#entry;
    const verity = this.#verity;
    if (entry === undefined || verity === undefined) return;
    const kept = this.#kept;
    const object = this.#object;
    this.#verity = undefined;
    this.#object = undefined;
    this.#kept = undefined;
    if (object === undefined) {
      verity.end((digests) => {
        entry.digests = digests;
        if (kept) entry.captured = concatBytes(kept);
      });
      return;
    }
    object.commitWhen(
      new Promise((resolve) =>
        verity.end((digests) => {
          entry.digests = digests;
          if (kept) entry.captured = concatBytes(kept);
          resolve(digests);
        }),
      ),
    );
  }
}
