import type { ReactNode } from 'react';
import { FactList } from '../../../components/fact_list';
import { Notice } from '../../../components/notice';
import { PageSection } from '../../../components/page_section';
import { formatCount } from '../../../lib/format';
import type { TablePreview } from '../../../worker/messages';
import { SkippedList } from './data_preview';

// Step 3 of a vertical study: what the worker made of the table. Rows it cannot use are
// listed with the reason (a missing value, a duplicate id, an unknown label), never fatal.

export function TablePreviewSection({ choice, table }: { choice: { fileName: string } | undefined; table: TablePreview | undefined }): ReactNode {
  if (!choice) {
    return (
      <PageSection step={3} title="Check your table">
        <p className="hint">After you choose your table, what can be used of it appears here.</p>
      </PageSection>
    );
  }
  if (!table) {
    return (
      <PageSection step={3} title="Check your table">
        <p role="status">Reading {choice.fileName}…</p>
      </PageSection>
    );
  }
  return (
    <PageSection step={3} title="Check your table">
      {table.problem !== undefined ? (
        <Notice tone="warning" title={`${table.fileName} cannot be used as it is`} next="Fix the table or choose another party or id column, then choose it again." detail={table.problem} />
      ) : (
        <FactList
          label="Your table"
          facts={[
            { label: 'Usable patient rows', value: formatCount(table.rows) },
            { label: 'Patient id column', value: table.idColumn },
            { label: 'Feature columns used', value: table.columns.join(', ') },
            {
              label: 'Labels',
              value: table.labelled
                ? Object.entries(table.classCounts)
                    .map(([name, count]) => `${name}: ${formatCount(count)}`)
                    .join(', ')
                : 'None: another party holds the labels',
            },
          ]}
        />
      )}
      {table.rows > 0 && <p>The rows are lined up with the other parties' when you join: only patients every party holds take part.</p>}
      {table.skipped.length > 0 && (
        <>
          <Notice tone="warning" title={`${formatCount(table.skipped.length)} row${table.skipped.length === 1 ? ' was' : 's were'} skipped`} next="They will not be used. Fix those rows and choose the table again if you want them included." />
          <SkippedList skipped={table.skipped} what="rows" />
        </>
      )}
    </PageSection>
  );
}
