export {
  buildTestImage,
  tarBytes,
  rawTarHeader,
  rawTar,
  TAR_END,
  type TestLayer,
  type TestImageOptions,
  type BuiltImage,
} from './test-image';
export { OS_LAYERS } from './os-layers';
export { countingStore, type CountingStore } from './counting-store';
