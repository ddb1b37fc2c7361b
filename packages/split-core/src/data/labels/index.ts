export { assignLabels, classByUid, labelByUid, normalizePath, uidsWithoutFile, NOT_LISTED, type Assignment, type LabelledImage, type PickedFile, type UidLabels } from './assign_labels';
export { isCsvPath, isPlainImagePath, notAnImage } from './file_kind';
export { isDicomUid, parseLabelManifest, type LabelManifest, type ManifestProblem, type ManifestRow } from './label_manifest';
