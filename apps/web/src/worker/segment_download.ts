import { artifacts } from '@splitlearn/split-core';
import type { ExportedSegments } from './messages';

// A browser saves downloads side by side in one folder, so each segment becomes two flat
// files, `<prefix><stem>.json` and the weights file that model.json names beside it,
// prefixed with the study so two studies' downloads do not overwrite each other. Load one
// with `npm run infer -- --client <prefix>client-segment0.json ...` or tf.loadLayersModel.

export function downloadPrefix(studyId: string): string {
  return `splitnn-${studyId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 8)}-`;
}

/** The weights file name for a segment stem (what exportClientSegments writes into model.json). */
export function downloadWeightsFile(prefix: string): (stem: string) => string {
  return (stem) => `${prefix}${stem}.weights.bin`;
}

export function segmentDownloads(prefix: string, files: readonly artifacts.SegmentFiles[]): Extract<ExportedSegments, { ok: true }> {
  const encoder = new TextEncoder();
  return {
    ok: true,
    trainedRounds: Math.min(...files.map((file) => file.metadata.trainedRounds)),
    files: files.flatMap((file) => [
      { name: `${prefix}${artifacts.segmentFileStem(file.metadata)}.json`, bytes: encoder.encode(JSON.stringify(file.modelJson)).buffer },
      // Copied into a buffer of its own: it is transferred to the page, and weightData may be a view.
      { name: file.weightsFile, bytes: file.weightData.slice().buffer },
    ]),
  };
}
