import type { Descriptor } from '../image/oci-types';
import type { ImageStore, ResolvedImage } from '../image/image-store';
import type { ComposefsDigestSpec, ComposefsDigestValue } from './composefs-digest';
import type { BootPayload, PayloadKind } from './payload';

/** An image inside a store: `oci:DIR:TAG` or `docker://HOST/REPO@sha256:…` once opened. */
export interface ImageLocation {
  readonly store: ImageStore;
  /** Tag or digest inside the store. */
  readonly reference: string;
}

/**
 * What a strategy can and cannot do. The conformance suite reads these flags
 * to decide which cases apply, so the flags themselves are tested.
 */
export interface StrategyCapabilities {
  /** The kernel is invisible in the container view (`umoci unpack`, podman). */
  readonly hidesKernelFromContainer: boolean;
  /** Attaching produces a new image manifest (new layers/config) instead of leaving the image untouched. */
  readonly changesImageDigest: boolean;
  /** Finding the payload in a registry needs the referrers API or its `sha256-<hex>` fallback tag. */
  readonly needsReferrers: boolean;
  /** Payload kinds the strategy carries. */
  readonly payloadKinds: readonly PayloadKind[];
  /**
   * Attaching to an image that already carries a payload of this strategy:
   * `refuse` throws `AlreadyAttachedError`; `idempotent` gives the same
   * result for the same payload and refuses a different one.
   */
  readonly reattach: 'refuse' | 'idempotent';
}

/** Shared services a strategy may use; injected so tests can pass their own. */
export interface StrategyContext {
  /** A private directory for temporary files (extracted payloads); the caller removes it. */
  readonly tempDir: string;
  readonly signal?: AbortSignal;
  /** Progress and diagnostic messages for humans. */
  readonly log?: (message: string) => void;
}

/** Input of {@link MetaLayerStrategy.attach}. */
export interface AttachRequest {
  /** The image to make bootable; the result is written into the same store. */
  readonly image: ImageLocation;
  /** Tag to point at the result (strategies that change the image); ignored by the others. */
  readonly tag?: string;
  /**
   * The kernel to attach. Its command line is rewritten to name the bootable
   * composefs digest of the booted root; other arguments are kept.
   */
  readonly payload: BootPayload;
  /** How the digest on the command line is computed (default: V1 EROFS, SHA-512). */
  readonly digest: ComposefsDigestSpec;
}

/** What {@link MetaLayerStrategy.attach} produced. */
export interface AttachResult {
  readonly strategy: string;
  /** The image manifest to deploy and boot: new for strategies that change the image, else the original. */
  readonly image: Descriptor;
  /** The artifact manifest carrying the payload, for strategies that write one. */
  readonly artifact?: Descriptor;
  /** The digest written on the payload's command line. */
  readonly composefsDigest: ComposefsDigestValue;
  /** Everything added to the store (layers, configs, manifests, payload blobs), for size accounting. */
  readonly added: readonly Descriptor[];
  /** The payload as attached (command line rewritten). */
  readonly payload: BootPayload;
}

/** Options of {@link MetaLayerStrategy.locate}. */
export interface LocateOptions {
  /** Pin one artifact manifest by digest when several refer to the image. */
  readonly artifact?: string;
}

/** Where a located payload came from. */
export type PayloadOrigin =
  | {
      readonly kind: 'layer';
      /** The layer holding the payload files. */
      readonly layer: Descriptor;
      readonly diffId: string;
      /** Paths of the payload files inside the layer (without a leading `/`). */
      readonly paths: readonly string[];
    }
  | {
      readonly kind: 'artifact';
      /** The artifact manifest. */
      readonly manifest: Descriptor;
      /** Its payload blobs. */
      readonly blobs: readonly Descriptor[];
    };

/** What {@link MetaLayerStrategy.locate} found. */
export interface LocatedPayload {
  readonly strategy: string;
  /**
   * The image whose root filesystem the payload boots (deployed into the
   * composefs repository); `verify` recomputes its bootable digest.
   */
  readonly image: ResolvedImage;
  readonly payload: BootPayload;
  readonly origin: PayloadOrigin;
  /** Digests recorded in labels or annotations: hints for humans, never trusted by `verify`. */
  readonly claims: Readonly<Record<string, string>>;
}

/**
 * A way to carry a kernel with an OCI image so that the kernel's command line
 * can name the composefs digest of the root it boots without a hash cycle.
 * Implementations are plain objects made by `createXStrategy()` factories;
 * they depend on `@metalayer/core` and the shared packages, never on each other.
 */
export interface MetaLayerStrategy {
  /** Registry key and CLI name, e.g. `kernel-layer`. */
  readonly name: string;
  /** One line for `--help` and tables. */
  readonly summary: string;
  readonly capabilities: StrategyCapabilities;
  /** Whether the image carries this strategy's marks (cheap: manifest, config, referrers; no layer reads). */
  detect(ctx: StrategyContext, image: ImageLocation): Promise<boolean>;
  /** Attaches `request.payload` to the image. */
  attach(ctx: StrategyContext, request: AttachRequest): Promise<AttachResult>;
  /** Finds the payload again; throws `PayloadNotFoundError` when there is none. */
  locate(ctx: StrategyContext, image: ImageLocation, options?: LocateOptions): Promise<LocatedPayload>;
}
