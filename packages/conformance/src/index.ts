export { testStrategy, type TestStrategyOptions } from './test-strategy';
export { writeBaseImage, BASE_TAG, BASE_OS_RELEASE, type BaseImage } from './fixtures/base-image';
export { makeUkiPayload, makeBlsPayload, haveStub, STUB_PATH, TEST_KERNEL_VERSION, BASE_CMDLINE } from './fixtures/payloads';
export { containerView } from './fixtures/container-view';
