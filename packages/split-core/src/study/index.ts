// A study: what a researcher configures (tfjs-free, validated wherever it enters) and the
// split model every participant rebuilds from it.
export { CODEC_NAMES, StudyConfigChangeSchema, StudyConfigSchema, STUDY_STATES, type StudyConfig, type StudyConfigChange, type StudyConfigInput, type StudyState } from './config';
export { largestMessageBytes, studyModelSpec, studyRoleOptions, studySplit } from './model';
