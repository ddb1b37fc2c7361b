#!/usr/bin/env -S npx tsx
// `npm run infer -- --client DIR --server DIR --data FOLDER`: a study's exported segments,
// chained and scored on labelled images. Progress goes to stderr; with --json stdout is one
// JSON object.
import { SegmentFilesError } from '../../artifacts/errors';
import { runCommand } from '../command';
import { parseInferArgs, USAGE, type InferArgs } from './args';
import { runInfer, type InferResult } from './run';

function percent(value: number | null | undefined): string {
  return value !== null && value !== undefined && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

function decimal(value: number | null | undefined): string {
  return value !== null && value !== undefined && Number.isFinite(value) ? value.toFixed(4) : 'n/a';
}

/** Rows: true class; columns: predicted class. */
function confusionTable(classes: readonly string[], confusion: readonly (readonly number[])[]): string {
  const width = Math.max(8, ...classes.map((name) => name.length + 2), ...confusion.flat().map((value) => String(value).length + 2));
  const label = Math.max(...classes.map((name) => name.length), 'true \\ predicted'.length) + 2;
  const header = 'true \\ predicted'.padEnd(label) + classes.map((name) => name.padStart(width)).join('');
  const rows = classes.map((name, i) => name.padEnd(label) + (confusion[i] ?? []).map((value) => String(value).padStart(width)).join(''));
  return [header, ...rows].map((line) => `  ${line}`).join('\n');
}

function report(result: InferResult): string {
  const { metrics } = result;
  const lines = [
    `study "${result.study.name}" (${result.study.id}): ${result.model}, ${result.topology}, ${result.trainedRounds} rounds trained`,
    `${result.data}: ${metrics.count} images scored, ${result.skipped.length} files skipped${result.cutCodec !== 'fp32' ? `; cut tensors rounded as ${result.cutCodec}` : ''}`,
    `accuracy ${percent(metrics.accuracy)}, AUC ${decimal(metrics.auc)}, sensitivity ${percent(metrics.sensitivity)}, specificity ${percent(metrics.specificity)}, loss ${decimal(metrics.loss)}${result.atThreshold ? ' (at 0.5)' : ''}`,
    ...(result.atThreshold
      ? [`at the study's threshold ${result.atThreshold.threshold}: accuracy ${percent(result.atThreshold.accuracy)}, sensitivity ${percent(result.atThreshold.sensitivity)}, specificity ${percent(result.atThreshold.specificity)}, balanced accuracy ${percent(result.atThreshold.balancedAccuracy)}`]
      : []),
    'confusion matrix:',
    confusionTable(result.classes, metrics.confusion),
  ];
  const reference = result.studyValidation;
  if (reference) {
    const which = reference.best === true ? `, its best round by ${reference.metric === 'auc' ? 'AUC' : (reference.metric ?? 'AUC')}` : reference.best === false ? ' (the latest round, not the best)' : '';
    lines.push(`the study's own validation after round ${reference.round + 1}${which}: accuracy ${percent(reference.accuracy)}${reference.auc !== null ? `, AUC ${decimal(reference.auc)}` : ''} on ${reference.count} images (pooled over its clients)`);
    if (reference.operatingPoint) lines.push(`the study's threshold (chosen on that validation): ${reference.operatingPoint.threshold}, where validation had sensitivity ${percent(reference.operatingPoint.sensitivity)} and specificity ${percent(reference.operatingPoint.specificity)}`);
  }
  const { weights } = result;
  const digests = `client ${weights.client.slice(0, 12)}, server ${weights.server.slice(0, 12)}`;
  if (weights.validated === true) lines.push(`these are exactly the weights the study validated after round ${(weights.validatedRound ?? 0) + 1} (${digests})`);
  else if (weights.validated === false) lines.push(`these are NOT the weights the study validated after round ${(weights.validatedRound ?? 0) + 1} (see the warning; given: ${digests})`);
  else lines.push(`the export does not name the weights the study validated: no check possible (${digests})`);
  return `${lines.join('\n')}\n`;
}

async function run(args: InferArgs): Promise<number> {
  let result: InferResult;
  try {
    result = await runInfer(args, { onInfo: (message) => process.stderr.write(`${message}\n`) });
  } catch (error) {
    const prefix = error instanceof SegmentFilesError ? `segments: ${error.code}` : 'error';
    process.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (result.skipped.length > 0) {
    process.stderr.write(`${result.skipped.length} files skipped:\n`);
    for (const file of result.skipped.slice(0, 20)) process.stderr.write(`  ${file.path}: ${file.reason}\n`);
    if (result.skipped.length > 20) process.stderr.write(`  ... and ${result.skipped.length - 20} more\n`);
  }
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(report(result));
  return 0;
}

runCommand({ usage: USAGE, parse: parseInferArgs, run });
