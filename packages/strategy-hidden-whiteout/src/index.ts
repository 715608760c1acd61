// Public API of @metalayer/strategy-hidden-whiteout: named re-exports only.
export { STRATEGY_NAME } from './strategy-name';
export { createHiddenWhiteoutStrategy, HIDDEN_WHITEOUT_CAPABILITIES, type HiddenWhiteoutStrategyOptions } from './hidden-whiteout-strategy';
export { HIDDEN_WHITEOUT_KEY_PREFIX, KEY_META_LAYER, KEY_WHITEOUT_LAYER, fileDigestKey, type MetaFileRole } from './hidden-whiteout-labels';
export { PRIVATE_DIRECTORY, PRIVATE_DIRECTORY_WHITEOUT, MAX_META_LAYER_ENTRIES } from './private-directory';
export { PrivateDirectoryConflictError } from './errors/private-directory-conflict-error';
