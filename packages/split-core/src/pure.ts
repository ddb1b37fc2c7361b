// @splitlearn/split-core/pure: the tfjs-free half of the engine, for code that must not
// load tfjs (the page's main thread): the wire contract and its schemas (the dashboard's
// included), the study configuration, what each topology and schedule does, the model
// catalogue and its cut planning, analytic FLOPs, codec frame sizes, the demo images and the
// labelling of picked files (folders or a CSV manifest).
// The web app's main-thread import test walks everything reachable from here and fails on
// any tfjs import.

export * as protocol from './protocol';
export { TOPOLOGY_NAMES, upCrossings, type HorizontalTopologyDescriptor, type RoleAssignment, type TopologyDescriptor, type TopologyName, type WireCrossing } from './topology/descriptor';
export { getHorizontalDescriptor, getTopologyDescriptor, TOPOLOGY_DESCRIPTORS, UnknownTopologyError } from './topology/descriptors';
export { WIRE_KINDS, type WireKind } from './topology/link';
export { SCHEDULE_NAMES, type ScheduleName } from './schedule/schedule';
export { SCHEDULE_DESCRIPTORS, scheduleDescriptor, type ScheduleDescriptor, type WeightTransfer } from './schedule/descriptor';
export { METHOD_DESCRIPTORS, METHOD_NAMES, studyMethod, studyScheduleName, type MethodDescriptor, type MethodName } from './study/method';
export { privacyDisclosure } from './study/privacy_disclosure';
export { BEST_ROUND_METRICS, bestRound, type BestRoundMetric, type RoundFigures } from './study/best_round';
export { generateStudyKey, studyKeyCheck, studyKeyFromFragment, studyKeyProblem } from './privacy/study_key';
export { SEALED_OVERHEAD_BYTES } from './privacy/sealed_handoff';
export { OPTIMIZER_NAMES, type OptimizerName } from './segment/optimizer_names';
export { CATALOGUE_MODEL_NAMES, getModelSpec } from './model/catalogue';
export { HEAD_MODEL_NAMES, INTERMEDIATE_MODEL_NAMES, PARTY_MODEL_NAMES } from './model/vertical_catalogue';
export { planSegments, resolveCut, type SegmentPlan } from './model/cuts';
export { ModelSpecError } from './model/errors';
export { countSegmentParams } from './model/shapes';
export { weightSpecs, type WeightShape } from './model/weight_specs';
export type { CutPoint, LayerSpec, ModelSpec } from './model/spec';
export { planVertical, type VerticalPlan } from './topology/vertical_plan';
export { partyInputShape, studyTaskHeads, verticalStudyPlan, type PartiesStudyPlan } from './study/vertical_plan';
export { POINT_BYTES, TAG_BYTES } from './alignment/sizes';
export { segmentFlops, trainingFlopsPerSample } from './accounting/flops';
export { encodedSize, nameByteLength } from './codec/encoded_size';
export { encodedBundleSize } from './codec/bundle';
export type { Encoding } from './codec/types';
export { DEMO_CLASSES, DEMO_LABEL_NOISE, generateDemoSample } from './data/demo';
export { DEMO_DATA_SEED } from './data/demo_shard';
export * as labels from './data/labels';
export { isIntermediate, studyPositions } from './study/positions';
export { planningErrorPath, positionLayouts, studyFlopsPerSample, studyRoleLayout } from './study/role_layout';
export type { RoleLayout } from './topology/role_layout';
export { positionNames } from './study/groups';
export { withRecipeDefaults } from './study/recipe';
export { AugmentationSchema, type Augmentation } from './augmentation/augmentation';
export { StudyConfigSchema, type StudyConfig } from './study/config';
export { LEARNING_RATE_SCHEDULES } from './segment/learning_rate';
