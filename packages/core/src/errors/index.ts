export { MetalayerError, type MetalayerErrorOptions } from './metalayer-error';
export { InvalidArgumentError } from './invalid-argument-error';
export { DigestMismatchError } from './digest-mismatch-error';
export { LimitExceededError } from './limit-exceeded-error';
export { ExternalToolError } from './external-tool-error';
