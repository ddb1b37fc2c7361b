import path from 'node:path';
import type { OptimizerName } from '../../segment/optimizer_names';
import type { Dataset } from '../../data/dataset';
import { breastCancerParties, labelsToServer, readCsvParty, readLabelTable, xrayHalvesParties, type PartyData } from '../vertical/party_data';
import type { SimArgs } from './args';
import { runVerticalSim, type VerticalSimResult } from './vertical';

// `npm run sim -- --topology vertical ...`: the parties' data from the flags, then the
// vertical study in one process; progress to stderr, results to stdout (--json: one object).

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
  if (args.verticalDemo === 'breast-cancer') return breastCancerParties(dataDir, args.share, args.seed);
  if (args.verticalDemo === 'xray-halves') return xrayHalvesParties(path.join(dataDir, 'pneumoniamnist', 'train'));
  return Promise.all(
    args.party.map((party, index) =>
      readCsvParty(party, {
        idColumn: args.idColumn,
        ...(index === args.labelHolder ? { labelColumn: args.labelColumn } : {}),
        ...(args.classes ? { classes: args.classes } : {}),
      }),
    ),
  );
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

export async function runVerticalCommand(args: SimArgs): Promise<number> {
  const { parties, serverLabels } = await loadData(args);
  parties.forEach((party, i) => {
    process.stderr.write(`party ${i}: ${party.source}: ${party.data.samples.length} rows, ${party.features.length > 3 ? `${party.features.length} columns` : party.features.join(', ')}${i === args.labelHolder ? ', with the labels' : ''}\n`);
    for (const skipped of party.skipped.slice(0, 10)) process.stderr.write(`  skipped ${skipped.path}: ${skipped.reason}\n`);
    if (party.skipped.length > 10) process.stderr.write(`  ... and ${party.skipped.length - 10} more rows skipped\n`);
  });
  const result: VerticalSimResult = await runVerticalSim(
    {
      parties,
      labelHolder: args.labelHolder,
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
  const line = `vertical, ${parties.length} parties, ${result.intersection} aligned patients (${result.train} train, ${result.val} validation): accuracy ${percent(result.split.accuracy)}, AUC ${result.split.auc.toFixed(4)}${result.centralized ? `; centralized: accuracy ${percent(result.centralized.accuracy)}, AUC ${result.centralized.auc.toFixed(4)}` : ''}`;
  if (args.json) {
    process.stderr.write(`${line}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else process.stdout.write(`${line}\n`);
  return 0;
}
