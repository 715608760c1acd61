export { isCI, which, haveTools, haveFile, run, type RunResult } from './tools';
export { repoRoot, sharedDir, vectorsPath, cliBin } from './paths';
export { useTempDir } from './temp-dir';
export { prngBytes } from './random';
