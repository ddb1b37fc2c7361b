// @splitlearn/split-core: the platform-free split learning engine (browser and Node).
// One namespace per module (STYLE.md §2); Node-only adapters live in `@splitlearn/split-core/node`.

export * as model from './model';
export * as topology from './topology';
export * as schedule from './schedule';
export * as segment from './segment';
export * as runtime from './runtime';
export * as training from './training';
export * as study from './study';
export * as codec from './codec';
export * as accounting from './accounting';
export * as metrics from './metrics';
export * as data from './data';
export * as backends from './backends';
export * as protocol from './protocol';
export * as network from './network';
export * as artifacts from './artifacts';
export * as alignment from './alignment';
export * as baselines from './baselines';
export * as privacy from './privacy';
export * as augmentation from './augmentation';
export * as dicom from './dicom';
