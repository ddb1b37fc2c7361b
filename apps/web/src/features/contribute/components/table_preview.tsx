import type { ReactNode } from 'react';
import { FactList, type Fact } from '../../../components/fact_list';
import { Notice } from '../../../components/notice';
import { PageSection } from '../../../components/page_section';
import { formatCount } from '../../../lib/format';
import type { TablePreview } from '../../../worker/messages';
import { SkippedList } from './data_preview';

// Step 3 of a vertical study: what the worker made of the table (or of an image party's
// mapping CSV and images). Rows it cannot use are listed with the reason (a missing value, a
// duplicate id, an unknown label, an image that is not there or not an image), never fatal.

export interface TablePreviewProps {
  choice: { fileName: string; images?: boolean } | undefined;
  table: TablePreview | undefined;
  /** An image party: how decoding its images goes. */
  decode?: { done: number; total: number } | undefined;
}

function DecodeProgress({ decode }: { decode: { done: number; total: number } }): ReactNode {
  return (
    <div className="field">
      <label htmlFor="party-decode-progress">Images decoded</label>
      <progress id="party-decode-progress" max={Math.max(decode.total, 1)} value={decode.done} />
      <span className="hint">
        {formatCount(decode.done)} of {formatCount(decode.total)}
        {decode.done < decode.total ? '…' : ''}
      </span>
    </div>
  );
}

function labelsFact(table: TablePreview): Fact {
  return {
    label: 'Labels',
    value: table.labelled
      ? Object.entries(table.classCounts)
          .map(([name, count]) => `${name}: ${formatCount(count)}`)
          .join(', ')
      : 'None: another party holds the labels',
  };
}

function facts(table: TablePreview): Fact[] {
  if (table.image) {
    const [height, width, channels] = table.image.shape;
    return [
      { label: 'Patients with a usable image', value: formatCount(table.rows) },
      { label: 'Mapping CSV', value: table.fileName },
      { label: 'Patient id column', value: table.idColumn },
      { label: 'Image file column', value: table.image.fileColumn },
      { label: 'Files in the chosen folder', value: formatCount(table.image.files) },
      { label: 'Images converted to', value: `${height ?? '?'}×${width ?? '?'} ${channels === 3 ? 'colour' : 'grayscale'}` },
      labelsFact(table),
    ];
  }
  return [
    { label: 'Usable patient rows', value: formatCount(table.rows) },
    { label: 'Patient id column', value: table.idColumn },
    { label: 'Feature columns used', value: table.columns.join(', ') },
    labelsFact(table),
  ];
}

export function TablePreviewSection({ choice, table, decode }: TablePreviewProps): ReactNode {
  const title = choice?.images ? 'Check your images' : 'Check your table';
  if (!choice) {
    return (
      <PageSection step={3} title="Check your data">
        <p className="hint">After you choose your table (or your images), what can be used of it appears here.</p>
      </PageSection>
    );
  }
  if (!table) {
    return (
      <PageSection step={3} title={title}>
        <p role="status">
          Reading {choice.fileName}
          {choice.images ? ' and decoding the images it names' : ''}…
        </p>
        {decode && <DecodeProgress decode={decode} />}
      </PageSection>
    );
  }
  return (
    <PageSection step={3} title={title}>
      {table.problem !== undefined ? (
        <Notice tone="warning" title={`${table.fileName} cannot be used as it is`} next="Fix the CSV or choose another party or id column, then choose it again." detail={table.problem} />
      ) : (
        <FactList label={table.image ? 'Your images' : 'Your table'} facts={facts(table)} />
      )}
      {table.rows > 0 && <p>The rows are lined up with the other parties' when you join: only patients every party holds take part.</p>}
      {table.skipped.length > 0 && (
        <>
          <Notice tone="warning" title={`${formatCount(table.skipped.length)} row${table.skipped.length === 1 ? ' was' : 's were'} skipped`} next="They will not be used. Fix those rows (or add the missing images) and choose again if you want them included." />
          <SkippedList skipped={table.skipped} what="rows" />
        </>
      )}
    </PageSection>
  );
}
