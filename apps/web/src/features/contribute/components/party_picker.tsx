import { useState, type ReactNode } from 'react';
import { PageSection } from '../../../components/page_section';
import type { StudySummary, TablePreview } from '../../../worker/messages';
import type { labels } from '@splitlearn/split-core/pure';
import { folderCsvPaths, partyImagesPick } from '../files/party_image_folder';
import type { PartyImagesChoice, TableChoice } from '../use_contribute';
import { PartyImageInputs } from './party_image_inputs';

// Step 2 of a vertical study: which party this hospital is (each holds different data about
// the same patients) and its data: a table of patients, or for an image party the folder of
// its images with the CSV mapping each patient to an image. Both are read in the training
// worker; the CSV's header comes back so the clinician can say which column names the patient.

type Vertical = NonNullable<StudySummary['vertical']>;

function partyLabel(vertical: Vertical, index: number): string {
  const party = vertical.parties[index];
  if (!party) return `Party ${index + 1}`;
  const holds = party.columns ? `${party.columns.length} column${party.columns.length === 1 ? '' : 's'}` : `images ${party.image?.join('×') ?? ''}`;
  return `${party.name}: ${holds}${index === vertical.labelHolder ? ', holds the labels' : ''}`;
}

export interface PartyPickerProps {
  vertical: Vertical;
  /** Every position of the study: its parties, then (extended vanilla) the intermediate participant, which needs no data. */
  positions?: NonNullable<StudySummary['positions']>;
  onPosition: (position: number) => void;
  table: TablePreview | undefined;
  onTable: (choice: TableChoice) => void;
  onImages: (choice: PartyImagesChoice) => void;
  disabled: boolean;
}

/** Everything chosen so far; what the worker is sent depends on the party's kind. */
interface Chosen {
  party: number;
  tableFile?: File;
  folder: labels.PickedFile<File>[];
  /** The mapping CSV: a path in the folder (the folder's first CSV when absent) or a file chosen on its own. */
  folderCsv?: string;
  separateCsv?: File;
}

export function PartyPicker({ vertical, positions, onPosition, table, onTable, onImages, disabled }: PartyPickerProps): ReactNode {
  const [chosen, setChosen] = useState<Chosen>({ party: 0, folder: [] });
  const party = vertical.parties[chosen.party];
  const intermediates = (positions ?? []).map((entry, index) => ({ ...entry, index })).filter((entry) => entry.intermediate);
  const intermediate = intermediates.find((entry) => entry.index === chosen.party);
  const holdsLabels = vertical.labelHolder === chosen.party;
  const fileColumn = vertical.fileColumn ?? 'file';

  /** Keeps the change and sends the party's data to the worker once it is complete; `idColumn` only when the clinician picked one for this CSV. */
  const choose = (change: Partial<Chosen>, idColumn?: string): void => {
    const next = { ...chosen, ...change };
    setChosen(next);
    if (intermediates.some((entry) => entry.index === next.party)) {
      if (change.party !== undefined) onPosition(next.party);
      return;
    }
    if (change.party !== undefined && intermediates.some((entry) => entry.index === chosen.party)) onPosition(next.party);
    const withId = idColumn !== undefined ? { idColumn } : {};
    const nextParty = vertical.parties[next.party];
    if (nextParty?.columns && next.tableFile) onTable({ party: next.party, file: next.tableFile, ...withId });
    if (nextParty?.image) {
      const folderCsv = next.folderCsv ?? folderCsvPaths(next.folder)[0];
      const pick = partyImagesPick(next.folder, next.separateCsv ? { name: next.separateCsv.name, file: next.separateCsv } : folderCsv !== undefined ? { path: folderCsv } : undefined);
      if (pick) onImages({ party: next.party, ...pick, ...withId });
    }
  };
  const idChoices = table?.header.length ? table.header : [vertical.idColumn];
  return (
    <PageSection step={2} title="Choose your party and your data">
      {party?.image ? (
        <p>
          In this study each hospital holds different information about the same patients. Your party holds an image of each patient: choose the folder of your images with a
          CSV file in it (or choose the CSV separately) with one row per patient: a patient id column, a <code>{fileColumn}</code> column naming the patient's image relative to
          the CSV's folder (for example <code>scans/P001.png</code>){holdsLabels ? <>, and the label column <code>{vertical.labelColumn}</code></> : null}.
        </p>
      ) : (
        <p>
          In this study each hospital holds different information about the same patients. Choose which part your hospital holds, then the CSV file with one row per
          patient: a patient id column, and the columns listed for your party{party && holdsLabels ? <>, and the label column <code>{vertical.labelColumn}</code></> : null}
          {party && holdsLabels && vertical.taskColumns ? <> (and, one per further task, {vertical.taskColumns.map((column, index) => (<span key={column}>{index > 0 && ', '}<code>{column}</code></span>))})</> : null}.
        </p>
      )}
      <div className="picker-grid">
        <div className="field">
          <label htmlFor="party">Your party</label>
          <select id="party" value={chosen.party} disabled={disabled} onChange={(event) => choose({ party: Number(event.target.value) })}>
            {vertical.parties.map((entry, index) => (
              <option key={entry.name} value={index}>
                {partyLabel(vertical, index)}
              </option>
            ))}
            {intermediates.map((entry) => (
              <option key={entry.name} value={entry.index}>
                {entry.name}: no data needed
              </option>
            ))}
          </select>
        </div>
        {intermediate ? null : party?.image ? (
          <PartyImageInputs
            folderCsvs={folderCsvPaths(chosen.folder)}
            folderCsv={chosen.separateCsv ? undefined : (chosen.folderCsv ?? folderCsvPaths(chosen.folder)[0])}
            disabled={disabled}
            onFolder={(folder) => choose({ folder, folderCsv: undefined })}
            onFolderCsv={(path) => choose({ folderCsv: path, separateCsv: undefined })}
            onSeparateCsv={(file) => choose({ separateCsv: file })}
          />
        ) : (
          <div className="field">
            <label htmlFor="party-table">Patient table (CSV)</label>
            <input id="party-table" type="file" accept=".csv,text/csv" disabled={disabled} onChange={(event) => {
              const picked = event.target.files?.[0];
              if (picked) choose({ tableFile: picked });
            }} />
          </div>
        )}
        {!intermediate && (<div className="field">
          <label htmlFor="id-column">Patient id column</label>
          <select id="id-column" value={table?.idColumn ?? vertical.idColumn} disabled={disabled || !table} onChange={(event) => choose({}, event.target.value)}>
            {idChoices.map((column) => (
              <option key={column} value={column}>
                {column}
              </option>
            ))}
          </select>
        </div>)}
      </div>
      {intermediate && (
        <p className="hint" role="status">
          Your role: <strong>{intermediate.name}</strong>. This device holds no patient data: it receives the parties' layer outputs for each batch, runs its own layers on
          them, passes the result to the study server and hands each party its share of the gradient back. It never receives a table, an image or a label.
        </p>
      )}
      {party?.columns && !intermediate && (
        <p className="hint">
          Columns of {party.name}: {party.columns.map((column, index) => (
            <span key={column}>
              {index > 0 && ', '}
              <code>{column}</code>
            </span>
          ))}
        </p>
      )}
      {party?.image && !intermediate && <p className="hint">PNG, JPEG and DICOM images are used, converted to {describeShape(party.image)} for {party.name}'s model.</p>}
      <p className="hint">
        Nothing is uploaded: the {party?.image ? 'images are decoded' : 'table is read'} inside this browser tab. Patient ids are only ever sent blinded, to line your rows up
        with the other parties'.
      </p>
    </PageSection>
  );
}

function describeShape([height, width, channels]: readonly number[]): string {
  return `${height ?? '?'}×${width ?? '?'} pixels, ${channels === 3 ? 'colour' : 'grayscale'}`;
}
