import { useId, type ReactNode } from 'react';
import type { DraftField, FieldErrors } from './study_draft';

// A labelled form control with its hint and its refusal, which the control is described by
// (aria-describedby) and marked invalid for: the e2e tests and assistive technology find both.

export function Field({ label, field, errors, hint, children }: { label: string; field: DraftField; errors: FieldErrors; hint?: string; children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode }): ReactNode {
  const id = useId();
  const problem = errors[field];
  const describedBy = [problem ? `${id}-problem` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': problem !== undefined, ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {problem && (
        <p id={`${id}-problem`} className="field-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/** A select's options: values shown as they are, or [value, text] pairs. */
export function OptionList({ options }: { options: readonly (string | readonly [string, string])[] }): ReactNode {
  return options.map((option) => {
    const [value, shown] = typeof option === 'string' ? [option, option] : option;
    return (
      <option key={value} value={value}>
        {shown}
      </option>
    );
  });
}
