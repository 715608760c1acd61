import type { ImageStore } from '@metalayer/core';

/** A store and, per blob digest, how many streams were read from it and how many bytes they delivered. */
export interface CountingStore {
  readonly store: ImageStore;
  /** Blob streams iterated (every layer read goes through `openBlob`), per digest. */
  readonly opened: Map<string, number>;
  /** Bytes those streams delivered, per digest: a full read delivers the blob's size. */
  readonly bytesRead: Map<string, number>;
}

/**
 * Wraps `store` so that a test can prove how often each blob is read, and
 * that it is read to the end. Delegates method by method (not through the
 * prototype: stores keep `#private` state that only the real object holds).
 */
export function countingStore(store: ImageStore): CountingStore {
  const opened = new Map<string, number>();
  const bytesRead = new Map<string, number>();
  // Every argument is passed on, whatever options openBlob grows.
  async function* openBlob(...args: Parameters<ImageStore['openBlob']>): AsyncIterable<Uint8Array> {
    const [descriptor] = args;
    opened.set(descriptor.digest, (opened.get(descriptor.digest) ?? 0) + 1);
    for await (const chunk of store.openBlob(...args)) {
      bytesRead.set(descriptor.digest, (bytesRead.get(descriptor.digest) ?? 0) + chunk.length);
      yield chunk;
    }
  }
  const wrapped: ImageStore = {
    location: store.location,
    kind: store.kind,
    openBlob,
    statBlob: (digest, signal) => store.statBlob(digest, signal),
    readBlob: (descriptor, maxSize, signal) => store.readBlob(descriptor, maxSize, signal),
    putBlob: (content, options) => store.putBlob(content, options),
    getManifest: (reference, signal) => store.getManifest(reference, signal),
    putManifest: (bytes, options) => store.putManifest(bytes, options),
    listTags: (signal) => store.listTags(signal),
    listReferrers: (digest, options) => store.listReferrers(digest, options),
  };
  return { store: wrapped, opened, bytesRead };
}
