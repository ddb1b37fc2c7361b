#!/usr/bin/env -S npx tsx
// `npm run sim -- ...`: a whole split learning study in one process. Progress goes to
// stderr; with --json the last line of stdout is the machine-readable result.
import { runCommand } from '../command';
import { hasParties, parseSimArgs, USAGE, type SimArgs } from './args';
import { ProgressBar } from './progress';
import { runSim } from './run';
import { runVerticalCommand } from './vertical_command';

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

async function run(args: SimArgs): Promise<number> {
  if (hasParties(args.topology)) return runVerticalCommand(args);

  let bar: ProgressBar | undefined;
  let barEpoch = 0;
  const result = await runSim(args, {
    onInfo: (message) => process.stderr.write(`${message}\n`),
    onStep: (done, total, loss) => {
      const epoch = Math.min(args.epochs, barEpoch + 1);
      bar ??= new ProgressBar(process.stderr, total, args.centralized ? 'centralized' : 'split');
      bar.update(done, `epoch ${epoch}/${args.epochs} loss ${loss.toFixed(4)}`);
    },
    onEpoch: (summary) => {
      barEpoch = summary.epoch;
      const line =
        `epoch ${summary.epoch}/${args.epochs}: train loss ${summary.trainLoss.toFixed(4)}, ` +
        `val acc ${percent(summary.val.accuracy)} auc ${summary.val.auc.toFixed(4)} loss ${summary.val.loss.toFixed(4)}, ` +
        `${summary.samplesPerSecond.toFixed(0)} samples/s` +
        (summary.leak ? `, label leak AUC norm ${summary.leak.norm.toFixed(3)} direction ${summary.leak.direction.toFixed(3)}` : '');
      process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${line}\n`);
    },
  });
  if (result.skipped.length > 0) {
    process.stderr.write(`${result.skipped.length} files skipped:\n`);
    for (const file of result.skipped.slice(0, 20)) process.stderr.write(`  ${file.path}: ${file.reason}\n`);
    if (result.skipped.length > 20) process.stderr.write(`  ... and ${result.skipped.length - 20} more\n`);
  }
  if (result.unknownClasses.length > 0) process.stderr.write(`unknown classes (files skipped): ${result.unknownClasses.join(', ')}\n`);
  const summary =
    `final val: accuracy ${percent(result.val.accuracy)}, AUC ${result.val.auc.toFixed(4)}, ` +
    `sensitivity ${percent(result.val.sensitivity)}, specificity ${percent(result.val.specificity)}` +
    (result.test ? `; test: accuracy ${percent(result.test.accuracy)}, AUC ${result.test.auc.toFixed(4)}` : '');
  if (args.json) {
    process.stderr.write(`${summary}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(`${summary}\n`);
    process.stdout.write(
      `client FLOPs/epoch ${result.clientFlops.toExponential(3)}, server FLOPs/epoch ${result.serverFlops.toExponential(3)}, ` +
        `bytes up ${result.bytesUp}, down ${result.bytesDown}, ${result.samplesPerSecond.toFixed(0)} samples/s\n`,
    );
  }
  return 0;
}

runCommand({ usage: USAGE, parse: parseSimArgs, run });
