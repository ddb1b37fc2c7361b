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
  type HorizontalStudyConfig,
  type StudyConfig,
  type StudyConfigChange,
  type StudyConfigInput,
  type StudyState,
  type VerticalParty,
  type VerticalStudyConfig,
} from './config';
export { largestMessageBytes, studyFlopsPerSample, studyModelSpec, studyRoleOptions, studyRolePlans, studySplit } from './model';
export { studyClientLayouts } from './client_layouts';
export { partyProblem, trainingGroups, VERTICAL_GROUP, type GroupMember } from './groups';
export { partyInputShape, verticalStudyPlan } from './vertical_plan';
export { PartyRowsError, partyRowsFromCsv, serverLabelRows, type PartyRows } from './party_rows';
export { imagePathInFolder, partyRowsFromImages, type PartyImageLoader, type PartyImageOptions } from './party_images';
