import { getTopologyDescriptor, studyMethod, type protocol } from '@splitlearn/split-core/pure';
import { formatAxisBytes, formatMetric, formatPercent, formatSi } from '../dashboard_format';
import type { Column, SeriesStore } from '../feed/series_store';

// What each live chart draws, as data: the React component turns a spec into one uPlot
// instance and hands it the store's own arrays. Per-client traffic is one line per client
// while there are at most PER_CLIENT_LINES of them; beyond that, a hundred overlapping lines
// would be unreadable (and cost a million points per redraw at 10,000 rounds), so those
// charts show the spread across clients instead: the median per client inside a min-max
// band. Who sent what stays in the clients table, which lists every client.

export interface SeriesSpec {
  label: string;
  column: Column;
  color: string;
  dash?: number[];
  width?: number;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the y axis counts, for the axis label and the PNG. */
  yLabel: string;
  formatValue: (value: number) => string;
  /** Fixed y range (accuracy, AUC); auto when absent. */
  yRange?: [number, number];
  logScale?: boolean;
  /** Draws per-client (or per-task) series: rebuilt when the store's layout changes. */
  perClient?: boolean;
  /** Drawn only when this says so (the per-task chart: multi-task studies; the leak chart: binary studies whose labels reach the server). */
  shownFor?: 'tasks' | 'leak';
  series: (store: SeriesStore, clientName: (participantId: string) => string) => SeriesSpec[];
  /** Fill between two series (1-based uPlot series indices, upper first). */
  band?: (series: readonly SeriesSpec[]) => [number, number] | undefined;
}

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D31'];
const TRAIN = PALETTE[0] as string;
const VAL = PALETTE[1] as string;

function clientTraffic(direction: 'up' | 'down'): ChartSpec['series'] {
  return (store, clientName) => {
    const clients = store.clientColumns;
    if (clients !== null) {
      return [...clients]
        .map(([participantId, columns]) => ({ label: clientName(participantId), column: columns[direction] }))
        .sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }))
        .map((entry, i) => ({ ...entry, color: PALETTE[i % PALETTE.length] as string }));
    }
    const prefix = direction === 'up' ? 'up' : 'down';
    return [
      { label: 'Max per client', column: store.columns[`${prefix}Max`], color: '#7a8599', width: 1 },
      { label: 'Median per client', column: store.columns[`${prefix}Median`], color: direction === 'up' ? TRAIN : VAL, width: 2 },
      { label: 'Min per client', column: store.columns[`${prefix}Min`], color: '#7a8599', width: 1 },
    ];
  };
}

const spreadBand: ChartSpec['band'] = (series) => (series[0]?.label === 'Max per client' ? [1, 3] : undefined);

export const CHART_SPECS: readonly ChartSpec[] = [
  {
    id: 'loss',
    title: 'Loss',
    yLabel: 'Cross-entropy',
    formatValue: (value) => formatMetric(value, 3),
    series: (store) => [
      { label: 'Train loss', column: store.columns.trainLoss, color: TRAIN },
      { label: 'Validation loss', column: store.columns.valLoss, color: VAL },
    ],
  },
  {
    id: 'accuracy',
    title: 'Accuracy',
    yLabel: 'Share correct',
    formatValue: (value) => formatPercent(value),
    yRange: [0, 1],
    series: (store) => [
      { label: 'Train accuracy', column: store.columns.trainAccuracy, color: TRAIN },
      { label: 'Validation accuracy', column: store.columns.valAccuracy, color: VAL },
      { label: 'Validation sensitivity', column: store.columns.valSensitivity, color: PALETTE[2] as string, dash: [6, 4] },
      { label: 'Validation specificity', column: store.columns.valSpecificity, color: PALETTE[3] as string, dash: [2, 3] },
    ],
  },
  {
    id: 'auc',
    title: 'Validation AUC',
    yLabel: 'ROC AUC',
    formatValue: (value) => formatMetric(value, 3),
    yRange: [0, 1],
    series: (store) => [{ label: 'Validation AUC', column: store.columns.valAuc, color: VAL }],
  },
  {
    id: 'tasks',
    title: 'Validation per task',
    yLabel: 'Accuracy (solid), AUC (dashed)',
    formatValue: (value) => formatMetric(value, 3),
    yRange: [0, 1],
    perClient: true,
    shownFor: 'tasks',
    series: (store) =>
      [...store.taskColumns].flatMap(([name, columns], i) => {
        const color = PALETTE[i % PALETTE.length] as string;
        return [
          { label: `${name}: accuracy`, column: columns.accuracy, color },
          { label: `${name}: AUC`, column: columns.auc, color, dash: [6, 4] },
        ];
      }),
  },
  {
    id: 'leak',
    title: 'Label leakage from the cut gradients',
    yLabel: 'Leak AUC (0.5: nothing, 1: every label)',
    formatValue: (value) => formatMetric(value, 3),
    yRange: [0.4, 1],
    shownFor: 'leak',
    series: (store) => [
      { label: 'Norm attack', column: store.columns.leakNorm, color: PALETTE[3] as string },
      { label: 'Direction attack', column: store.columns.leakDirection, color: PALETTE[4] as string, dash: [6, 4] },
    ],
  },
  {
    id: 'throughput',
    title: 'Training throughput',
    yLabel: 'Samples per second',
    formatValue: (value) => formatSi(value),
    series: (store) => [{ label: 'Samples per second', column: store.columns.samplesPerSecond, color: TRAIN }],
  },
  {
    id: 'traffic',
    title: 'Traffic per round, all clients',
    yLabel: 'Bytes',
    formatValue: formatAxisBytes,
    series: (store) => [
      { label: 'Up (clients to relay)', column: store.columns.bytesUp, color: TRAIN },
      { label: 'Down (relay to clients)', column: store.columns.bytesDown, color: VAL },
    ],
  },
  {
    id: 'client-up',
    title: 'Bytes up per client',
    yLabel: 'Bytes',
    formatValue: formatAxisBytes,
    perClient: true,
    series: clientTraffic('up'),
    band: spreadBand,
  },
  {
    id: 'client-down',
    title: 'Bytes down per client',
    yLabel: 'Bytes',
    formatValue: formatAxisBytes,
    perClient: true,
    series: clientTraffic('down'),
    band: spreadBand,
  },
  {
    id: 'flops',
    title: 'Compute per round, client vs server',
    yLabel: 'FLOPs (log scale)',
    formatValue: (value) => formatSi(value),
    logScale: true,
    series: (store) => [
      { label: 'Client FLOPs', column: store.columns.clientFlops, color: TRAIN },
      { label: 'Server FLOPs', column: store.columns.serverFlops, color: VAL },
    ],
  },
];

/** Whether the relay watches a study's label leakage: a binary task whose labels travel to the server with each batch (vanilla, a vertical label holder). */
export function labelsReachServer(config: protocol.StudyInfo['config']): boolean {
  return config.classes.length === 2 && studyMethod(config).serverSegment && getTopologyDescriptor(config.topology).wirePlan.train.some((crossing) => crossing.kind === 'labels');
}

/** The defence against label leakage a study has in force, in words for the leak chart (the figures are of the gradients as sent). */
export function leakDefence(config: protocol.StudyInfo['config']): string {
  const noise = config.gradientNoise;
  if (noise) return `Defence in force: ${noise.kind === 'max-norm' ? 'max-norm' : 'Gaussian'} noise on the cut gradients (scale ${noise.scale}); the figures are of the gradients as the relay sends them.`;
  return 'Defence in force: none; the relay returns the cut gradients as computed. Gradient noise (gradientNoise) or U-shaped mode, where labels stay on the devices, lowers these figures.';
}
