export type { ByteSource } from './byte-source';
export type { PayloadFile, UkiPayload, BlsPayload, BootPayload, PayloadKind } from './payload';
export {
  DEFAULT_DIGEST_SPEC,
  type ComposefsHashAlgorithm,
  type ComposefsErofsVersion,
  type ComposefsDigestSpec,
  type ComposefsDigestValue,
} from './composefs-digest';
export type {
  ImageLocation,
  StrategyCapabilities,
  StrategyContext,
  AttachRequest,
  AttachResult,
  LocateOptions,
  PayloadOrigin,
  LocatedPayload,
  MetaLayerStrategy,
} from './meta-layer-strategy';
export { assertStrategy, createStrategyRegistry, type StrategyRegistry } from './strategy-registry';
export { describeImage, detectStrategies, locateWithRegistry, type LocateWithRegistryOptions } from './detect-strategy';
export { verifyPayload, type NamedComposefsDigest, type VerifyDependencies, type VerifyOptions, type VerifyReport } from './verify-payload';
