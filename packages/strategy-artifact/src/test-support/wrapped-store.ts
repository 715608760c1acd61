import type { BlobInfo, Descriptor, ImageStore, ListReferrersOptions, OpenBlobOptions } from '@metalayer/core';

/** An {@link ImageStore} that records blob reads and can list extra referrers (as a hostile fallback index would). */
export interface WrappedStore extends ImageStore {
  /** Digests of every blob opened or read whole, in order. */
  readonly blobReads: string[];
}

/** Wraps `store`: every call is delegated; `extraReferrers` are appended to each `listReferrers` answer. */
export function wrapStore(store: ImageStore, extraReferrers: Descriptor[] = []): WrappedStore {
  const blobReads: string[] = [];
  return {
    location: store.location,
    kind: store.kind,
    blobReads,
    statBlob: (digest, signal) => store.statBlob(digest, signal),
    openBlob(descriptor: BlobInfo, signal?: AbortSignal, options?: OpenBlobOptions) {
      blobReads.push(descriptor.digest);
      return store.openBlob(descriptor, signal, options);
    },
    readBlob(descriptor: BlobInfo, maxSize?: number, signal?: AbortSignal) {
      blobReads.push(descriptor.digest);
      return store.readBlob(descriptor, maxSize, signal);
    },
    putBlob: (content, options) => store.putBlob(content, options),
    getManifest: (reference, signal) => store.getManifest(reference, signal),
    putManifest: (bytes, options) => store.putManifest(bytes, options),
    listTags: (signal) => store.listTags(signal),
    async listReferrers(digest: string, options?: ListReferrersOptions) {
      return [...(await store.listReferrers(digest, options)), ...extraReferrers];
    },
  };
}
