import path from 'node:path';
import type { OptimizerName } from '../../segment/optimizer_names';
import type { Dataset } from '../../data/dataset';
import { breastCancerParties, demoHalvesParties, labelsToServer, readCsvParty, readLabelTable, xrayHalvesParties, type PartyData } from '../vertical/party_data';
import { hasParties } from './args';
import type { SimArgs } from './args';
import { runVerticalSim, type VerticalSimResult } from './vertical';

// `npm run sim -- --topology vertical|extended|multi-task ...`: the parties' data from the
// flags, then the study in one process; progress to stderr, results to stdout (--json: one object).

function defaultDataDir(): string {
  return process.env.SPLIT_DATA_DIR ?? path.resolve(import.meta.dirname, '../../../../../../shared/data');
}

/** The parties' data, and the server's labels where it holds them. */
async function loadData(args: SimArgs): Promise<{ parties: PartyData[]; serverLabels?: Dataset }> {
  const parties = await loadParties(args);
  if (args.labelHolder !== 'server') return { parties };
  if (args.verticalDemo) return (({ parties: unlabelled, labels }) => ({ parties: unlabelled, serverLabels: labels }))(labelsToServer(parties));
  if (!args.labels) throw new Error('--label-holder server needs --labels FILE: a CSV of the id column and the label column, the server\u2019s table');
  const { labels, skipped } = await readLabelTable(args.labels, { idColumn: args.idColumn, labelColumn: args.labelColumn, ...(args.classes ? { classes: args.classes } : {}) });
  process.stderr.write(`server: ${args.labels}: ${labels.samples.length} labels${skipped.length > 0 ? `, ${skipped.length} rows skipped` : ''}\n`);
  return { parties, serverLabels: labels };
}

async function loadParties(args: SimArgs): Promise<PartyData[]> {
  const dataDir = args.data ?? defaultDataDir();
  if (args.verticalDemo === 'breast-cancer') return breastCancerParties(dataDir, args.share, args.seed, { textureTask: args.topology === 'multi-task' });
  if (args.verticalDemo === 'xray-halves') return xrayHalvesParties(path.join(dataDir, 'pneumoniamnist', 'train'));
  if (args.verticalDemo === 'demo-halves') return demoHalvesParties();
  return Promise.all(
    args.party.map((party, index) =>
      readCsvParty(party, {
        idColumn: args.idColumn,
        ...(index === args.labelHolder ? { labelColumn: args.labelColumn, tasks: args.task } : {}),
        ...(args.classes ? { classes: args.classes } : {}),
      }),
    ),
  );
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

export async function runVerticalCommand(args: SimArgs): Promise<number> {
  if (!hasParties(args.topology)) throw new Error(`--topology ${args.topology} has no parties`);
  const topology = args.topology;
  const { parties, serverLabels } = await loadData(args);
  parties.forEach((party, i) => {
    process.stderr.write(`party ${i}: ${party.source}: ${party.data.samples.length} rows, ${party.features.length > 3 ? `${party.features.length} columns` : party.features.join(', ')}${i === args.labelHolder ? ', with the labels' : ''}\n`);
    for (const skipped of party.skipped.slice(0, 10)) process.stderr.write(`  skipped ${skipped.path}: ${skipped.reason}\n`);
    if (party.skipped.length > 10) process.stderr.write(`  ... and ${party.skipped.length - 10} more rows skipped\n`);
  });
  const result: VerticalSimResult = await runVerticalSim(
    {
      topology,
      parties,
      labelHolder: args.labelHolder,
      labelColumn: args.labelColumn,
      ...(args.taskWeights ? { taskWeights: args.taskWeights } : {}),
      ...(serverLabels ? { serverLabels } : {}),
      ...(args.partyModel ? { partyModel: args.partyModel } : {}),
      epochs: args.epochs,
      batch: args.batch,
      lr: args.lr,
      optimizer: args.optimizer as OptimizerName,
      seed: args.seed,
      validationFraction: args.valFraction,
      encoding: args.codec,
      centralized: args.centralized,
    },
    {
      onInfo: (message) => process.stderr.write(`${message}\n`),
      onEpoch: (summary) =>
        process.stderr.write(`epoch ${summary.epoch}/${args.epochs}: train loss ${summary.trainLoss.toFixed(4)}, val acc ${percent(summary.val.accuracy)} auc ${summary.val.auc.toFixed(4)}, ${summary.samplesPerSecond.toFixed(0)} samples/s\n`),
    },
  );
  const tasks = (result.tasks ?? []).map((task) => `\n  task ${task.name} (weight ${task.weight}): accuracy ${percent(task.split.accuracy)}, AUC ${task.split.auc.toFixed(4)}${task.centralized ? `; centralized: accuracy ${percent(task.centralized.accuracy)}, AUC ${task.centralized.auc.toFixed(4)}` : ''}`);
  const line = `${topology}, ${parties.length} parties${topology === 'extended' ? ' and an intermediate participant' : ''}, ${result.intersection} aligned patients (${result.train} train, ${result.val} validation): accuracy ${percent(result.split.accuracy)}, AUC ${result.split.auc.toFixed(4)}${result.centralized ? `; centralized: accuracy ${percent(result.centralized.accuracy)}, AUC ${result.centralized.auc.toFixed(4)}` : ''}${tasks.join('')}`;
  if (args.json) {
    process.stderr.write(`${line}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else process.stdout.write(`${line}\n`);
  return 0;
}
