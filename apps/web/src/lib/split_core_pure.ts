// The tfjs-free corners of split-core, for code on the page's main thread. split-core's
// public entry re-exports everything, and much of it imports tfjs, so the main thread may
// not import it (main_thread_imports.test.ts walks these paths and proves they reach no
// tfjs). Only files that import nothing but each other, zod and types belong here.

export { DASHBOARD_NAMESPACE, CLIENT_STATUSES } from '../../../../packages/split-core/src/protocol/dashboard';
export { getModelSpec } from '../../../../packages/split-core/src/model/catalogue';
export { planSegments, type SegmentPlan } from '../../../../packages/split-core/src/model/cuts';
export { countSegmentParams } from '../../../../packages/split-core/src/model/shapes';
export { segmentFlops } from '../../../../packages/split-core/src/accounting/flops';
export { SCHEDULE_NAMES, type ScheduleName } from '../../../../packages/split-core/src/schedule/schedule';
export { DEMO_CLASSES, DEMO_LABEL_NOISE, generateDemoSample } from '../../../../packages/split-core/src/data/demo';
export { DEMO_DATA_SEED } from '../../../../packages/split-core/src/data/demo_shard';
export { encodedSize, nameByteLength } from '../../../../packages/split-core/src/codec/encoded_size';
