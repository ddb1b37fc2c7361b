// A study: what a researcher configures (tfjs-free, validated wherever it enters) and the
// split model every participant rebuilds from it.
export {
  CODEC_NAMES,
  horizontalStudy,
  labelParty,
  UnsupportedStudyError,
  type HorizontalStudyConfigInput,
  HorizontalStudyConfigSchema,
  StudyConfigChangeSchema,
  StudyConfigSchema,
  STUDY_STATES,
  VerticalPartySchema,
  VerticalStudyConfigSchema,
  ExtendedStudyConfigSchema,
  MultiTaskStudyConfigSchema,
  MultiHopStudyConfigSchema,
  TaskSchema,
  partiesStudy,
  catalogueStudy,
  type ExtendedStudyConfig,
  type MultiTaskStudyConfig,
  type MultiHopStudyConfig,
  type PartiesStudyConfig,
  type StudyTask,
  type HorizontalStudyConfig,
  type StudyConfig,
  type StudyConfigChange,
  type StudyConfigInput,
  type StudyState,
  type VerticalParty,
  type VerticalStudyConfig,
} from './config';
export { studyRoleOptions, studyRolePlans, studySplit } from './model';
export { largestMessageBytes, planningErrorPath, positionLayouts, studyFlopsPerSample, studyRoleLayout } from './role_layout';
export { chainSegments, isIntermediate, studyModelSpec, studyPositions } from './positions';
export { studyClientLayouts } from './client_layouts';
export { partyProblem, positionNames, sharedPosition, trainingGroups, VERTICAL_GROUP, type GroupMember } from './groups';
export { partyInputShape, studyTaskHeads, verticalStudyPlan, type PartiesStudyPlan } from './vertical_plan';
export { PartyRowsError, partyRowsFromCsv, serverLabelRows, type PartyRows } from './party_rows';
export { imagePathInFolder, partyRowsFromImages, type PartyImageLoader, type PartyImageOptions } from './party_images';
export { METHOD_DESCRIPTORS, METHOD_NAMES, studyMethod, studyScheduleName, type MethodDescriptor, type MethodName } from './method';
export { privacyDisclosure } from './privacy_disclosure';
export { balancedClassWeights, defaultAugmentation, studyAugmentation, trainingRecipe, withRecipeDefaults, type RecipeSettings, type TrainingRecipe } from './recipe';
export { BEST_ROUND_METRICS, bestRound, operatingRule, type BestRoundMetric, type RoundFigures } from './best_round';
