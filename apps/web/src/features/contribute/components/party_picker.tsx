import { useState, type ReactNode } from 'react';
import { PageSection } from '../../../components/page_section';
import type { StudySummary, TablePreview } from '../../../worker/messages';
import type { TableChoice } from '../use_contribute';

// Step 2 of a vertical study: which party this hospital is (each holds different columns of
// the same patients) and its table of patients. The table is read in the training worker;
// its header comes back so the clinician can say which column names the patient.

type Vertical = NonNullable<StudySummary['vertical']>;

function partyLabel(vertical: Vertical, index: number): string {
  const party = vertical.parties[index];
  if (!party) return `Party ${index + 1}`;
  const holds = party.columns ? `${party.columns.length} column${party.columns.length === 1 ? '' : 's'}` : `images ${party.image?.join('×') ?? ''}`;
  return `${party.name}: ${holds}${index === vertical.labelHolder ? ', holds the labels' : ''}`;
}

export interface PartyPickerProps {
  vertical: Vertical;
  table: TablePreview | undefined;
  onTable: (choice: TableChoice) => void;
  disabled: boolean;
}

export function PartyPicker({ vertical, table, onTable, disabled }: PartyPickerProps): ReactNode {
  const firstTable = vertical.parties.findIndex((party) => party.columns !== undefined);
  const [party, setParty] = useState(Math.max(firstTable, 0));
  const [file, setFile] = useState<File | undefined>(undefined);
  const chosen = vertical.parties[party];
  const choose = (next: { party?: number; file?: File; idColumn?: string }): void => {
    const nextParty = next.party ?? party;
    const nextFile = next.file ?? file;
    if (next.party !== undefined) setParty(next.party);
    if (next.file) setFile(next.file);
    if (nextFile && vertical.parties[nextParty]?.columns) onTable({ party: nextParty, file: nextFile, ...(next.idColumn !== undefined ? { idColumn: next.idColumn } : {}) });
  };
  const idChoices = table?.header.length ? table.header : [vertical.idColumn];
  return (
    <PageSection step={2} title="Choose your party and your table">
      <p>
        In this study each hospital holds different information about the same patients. Choose which part your hospital holds, then the CSV file with one row per
        patient: a patient id column, and the columns listed for your party{chosen && vertical.labelHolder === party ? <>, and the label column <code>{vertical.labelColumn}</code></> : null}.
      </p>
      <div className="picker-grid">
        <div className="field">
          <label htmlFor="party">Your party</label>
          <select id="party" value={party} disabled={disabled} onChange={(event) => choose({ party: Number(event.target.value) })}>
            {vertical.parties.map((entry, index) => (
              <option key={entry.name} value={index} disabled={entry.columns === undefined}>
                {partyLabel(vertical, index)}
                {entry.columns === undefined ? ' (join with the Node client)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="party-table">Patient table (CSV)</label>
          <input id="party-table" type="file" accept=".csv,text/csv" disabled={disabled} onChange={(event) => {
            const picked = event.target.files?.[0];
            if (picked) choose({ file: picked });
          }} />
        </div>
        <div className="field">
          <label htmlFor="id-column">Patient id column</label>
          <select id="id-column" value={table?.idColumn ?? vertical.idColumn} disabled={disabled || !table} onChange={(event) => choose({ idColumn: event.target.value })}>
            {idChoices.map((column) => (
              <option key={column} value={column}>
                {column}
              </option>
            ))}
          </select>
        </div>
      </div>
      {chosen?.columns && (
        <p className="hint">
          Columns of {chosen.name}: {chosen.columns.map((column, index) => (
            <span key={column}>
              {index > 0 && ', '}
              <code>{column}</code>
            </span>
          ))}
        </p>
      )}
      <p className="hint">Nothing is uploaded: the table is read inside this browser tab. Patient ids are only ever sent blinded, to line your rows up with the other parties'.</p>
    </PageSection>
  );
}
