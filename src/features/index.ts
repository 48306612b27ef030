// Feature cache: frozen-encoder features computed once per image and reused by every epoch and experiment.
export { getFeatures, type Features, type FeatureOptions } from './extract.js';
export { defaultCacheDir, entryDir, STORE_FORMAT } from './store.js';
