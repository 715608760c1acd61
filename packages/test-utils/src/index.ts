export { isCI, which, haveTools, haveFile, run, type RunResult } from './tools';
export { repoRoot, sharedDir, vectorsPath, cliBin } from './paths';
export { useTempDir } from './temp-dir';
export { prngBytes } from './random';
export { DOCKER_REGISTRY_BIN, startDockerRegistry, type TestRegistry } from './docker-registry';
export { startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from './fake-registry';
export { canLoopMount, withLoopMount } from './loop-mount';
