import { useId, type ReactNode } from 'react';

// Labelled figures as a description list. Each value is labelled by its term
// (aria-labelledby), so assistive technology announces the pair and an end-to-end test
// finds the value the way a user reads it:
// page.getByLabel('Cut-layer activations per training step', { exact: true }).
// (Playwright does not name the 'definition' role, so getByRole cannot be used here.)
// Byte figures also carry the exact integer in data-bytes, since the text is rounded.

export interface Fact {
  label: string;
  value: ReactNode;
  /** Exact byte count behind a rounded figure. */
  bytes?: number;
  hint?: string;
}

function FactRow({ fact }: { fact: Fact }): ReactNode {
  const id = useId();
  return (
    <div className="fact">
      <dt id={id}>{fact.label}</dt>
      <dd aria-labelledby={id} data-bytes={fact.bytes}>
        {fact.value}
        {fact.hint !== undefined && <span className="fact-hint">{fact.hint}</span>}
      </dd>
    </div>
  );
}

export function FactList({ label, facts }: { label: string; facts: readonly Fact[] }): ReactNode {
  return (
    <dl className="facts" aria-label={label}>
      {facts.map((fact) => (
        <FactRow key={fact.label} fact={fact} />
      ))}
    </dl>
  );
}
