export {
  MetalayerError,
  type MetalayerErrorOptions,
  InvalidArgumentError,
  DigestMismatchError,
  LimitExceededError,
  ExternalToolError,
} from './errors/index';
