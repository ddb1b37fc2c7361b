import type { Dataset, SkippedFile } from '../data/dataset';
import { readTabularCsv } from '../data/tabular';
import { labelParty, type PartiesStudyConfig, type StudyTask } from './config';
import { partyProblem } from './groups';

// What a vertical party brings to a study from its CSV: its columns of the study for each
// patient, keyed by the patient id, and the labels where it is the label holder. One rule
// for the browser's training worker and the Node client, so a table is read alike wherever
// a hospital joins from.

export interface PartyRows {
  /** Samples keyed by patient id (label 0 at a party without the labels). */
  data: Dataset;
  /** The study's feature columns for this party, in order (none for an image party). */
  columns: string[];
  /** Whether these rows carry the labels (the label holder). */
  labelled: boolean;
  /** CSV lines left out, and why. */
  skipped: SkippedFile[];
}

/** A multi-task study's further tasks (none in other studies): the label holder's CSV has a column for each. */
function studyTasks(config: PartiesStudyConfig): StudyTask[] {
  return config.topology === 'multi-task' ? config.tasks : [];
}

export class PartyRowsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartyRowsError';
  }
}

/**
 * The server's labels in a vertical study it holds them for (labelHolder 'server'): a CSV
 * of patient id and label, given by the researcher. Samples carry no values; the server
 * takes part in the alignment with their ids.
 */
export function serverLabelRows(config: PartiesStudyConfig, text: string, options: { idColumn?: string } = {}): { data: Dataset; skipped: SkippedFile[] } {
  const table = readTabularCsv(text, { idColumn: options.idColumn ?? config.idColumn, labelColumn: config.labelColumn, classes: config.classes, labelsOnly: true });
  return { data: { classes: [...config.classes], sampleShape: [0], samples: table.rows.map((row) => ({ id: row.id, label: row.label ?? 0, values: row.values })) }, skipped: table.skipped };
}

/**
 * Reads party `party`'s CSV text for a vertical study. The id column is the study's unless
 * the participant's table names it differently; only its values are used (blinded) to line
 * rows up. Throws PartyRowsError (the party does not exist or holds images) or TabularError
 * (the table lacks a column the study needs).
 */
export function partyRowsFromCsv(config: PartiesStudyConfig, party: number, text: string, options: { idColumn?: string } = {}): PartyRows {
  const problem = partyProblem(config, party);
  if (problem) throw new PartyRowsError(problem);
  const spec = config.parties[party];
  if (!spec || !('columns' in spec.input)) throw new PartyRowsError(`party ${party} (${spec?.name ?? '?'}) holds images, not a table: choose the party whose columns your CSV has`);
  const labelled = party === labelParty(config);
  const tasks = labelled ? studyTasks(config) : [];
  const table = readTabularCsv(text, {
    idColumn: options.idColumn ?? config.idColumn,
    columns: spec.input.columns,
    classes: config.classes,
    ...(labelled ? { labelColumn: config.labelColumn } : {}),
    ...(tasks.length > 0 ? { tasks: tasks.map((task) => ({ column: task.column ?? task.name, classes: task.classes })) } : {}),
  });
  return {
    data: {
      classes: [...config.classes],
      ...(tasks.length > 0 ? { tasks: tasks.map((task) => ({ name: task.name, classes: task.classes })) } : {}),
      sampleShape: [table.columns.length],
      samples: table.rows.map((row) => ({ id: row.id, label: row.label ?? 0, ...(row.tasks ? { tasks: row.tasks } : {}), values: row.values })),
    },
    columns: table.columns,
    labelled,
    skipped: table.skipped,
  };
}
