import { testStrategy } from '@metalayer/conformance';
import { createArtifactStrategy } from './artifact-strategy';

// The shared suite, with the real digest computation (strategy-specific tests
// live in the other *.test.ts files of this package).
testStrategy({ create: () => createArtifactStrategy() });
