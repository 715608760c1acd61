/** Registry key and CLI name of the hidden-whiteout strategy. */
export const STRATEGY_NAME = 'hidden-whiteout';
