import type { ReactNode } from 'react';
import { Field, OptionList } from './field';
import { defaultParty, defaultTask, HEAD_CHOICES, INTERMEDIATE_CHOICES, PARTY_MODEL_CHOICES, type FieldErrors, type PartyDraft, type StudyDraft, type TaskDraft } from './study_draft';

// The parties of a vertical, extended or multi-task study: what each holds of every patient (a
// table's columns or an image region) and its encoder, who holds the labels, the columns every
// party's CSV shares, the relay's layers and, for multi-task, the further tasks. Refusals about
// one party or task name it (study_draft.ts, issueText) and show under the list.

/** Parties and tasks the schema allows. */
const PARTIES = { min: 2, max: 8 } as const;
const TASKS = { min: 1, max: 7 } as const;

function Problem({ text }: { text: string | undefined }): ReactNode {
  return text ? (
    <p className="field-problem" role="alert">
      {text}
    </p>
  ) : null;
}

function PartyRow({ party, index, count, onChange, onRemove }: { party: PartyDraft; index: number; count: number; onChange: (party: PartyDraft) => void; onRemove: () => void }): ReactNode {
  const n = index + 1;
  const id = `party-${index}`;
  return (
    <fieldset className="party">
      <legend>Party {n}</legend>
      <div className="picker-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>Party {n} name</label>
          <input id={`${id}-name`} type="text" value={party.name} onChange={(event) => onChange({ ...party, name: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-holds`}>Party {n} holds</label>
          <select id={`${id}-holds`} value={party.input} onChange={(event) => onChange({ ...party, input: event.target.value === 'image' ? 'image' : 'columns' })}>
            <option value="columns">A table: columns of each patient’s row</option>
            <option value="image">An image of each patient</option>
          </select>
        </div>
        {party.input === 'columns' ? (
          <div className="field">
            <label htmlFor={`${id}-columns`}>Party {n} columns</label>
            <input id={`${id}-columns`} type="text" value={party.columns} placeholder="age, tumour_size" onChange={(event) => onChange({ ...party, columns: event.target.value })} />
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-image`}>Party {n} image shape</label>
            <input id={`${id}-image`} type="text" value={party.image} onChange={(event) => onChange({ ...party, image: event.target.value })} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-model`}>Party {n} encoder</label>
          <select id={`${id}-model`} value={party.model} onChange={(event) => onChange({ ...party, model: event.target.value })}>
            <OptionList options={[['', 'The default for its input'], ...PARTY_MODEL_CHOICES]} />
          </select>
        </div>
      </div>
      {count > PARTIES.min && (
        <button type="button" onClick={onRemove}>
          Remove party {n}
        </button>
      )}
    </fieldset>
  );
}

function TaskRow({ task, index, count, onChange, onRemove }: { task: TaskDraft; index: number; count: number; onChange: (task: TaskDraft) => void; onRemove: () => void }): ReactNode {
  // The study's classes are the first task; these are the second and on.
  const n = index + 2;
  const id = `task-${index}`;
  const input = (label: string, key: keyof TaskDraft, placeholder?: string): ReactNode => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>
        Task {n} {label}
      </label>
      <input id={`${id}-${key}`} type="text" value={task[key]} {...(placeholder ? { placeholder } : {})} onChange={(event) => onChange({ ...task, [key]: event.target.value })} />
    </div>
  );
  return (
    <fieldset className="party">
      <legend>Task {n}</legend>
      <div className="picker-grid">
        {input('name', 'name')}
        {input('column', 'column', 'empty: the task’s name')}
        {input('classes', 'classes', 'comma-separated, in label order')}
        {input('weight', 'weight')}
      </div>
      {count > TASKS.min && (
        <button type="button" onClick={onRemove}>
          Remove task {n}
        </button>
      )}
    </fieldset>
  );
}

export function PartiesFields({ draft, errors, onDraft }: { draft: StudyDraft; errors: FieldErrors; onDraft: (draft: StudyDraft) => void }): ReactNode {
  const setParty = (index: number, party: PartyDraft): void => onDraft({ ...draft, parties: draft.parties.map((each, i) => (i === index ? party : each)) });
  const removeParty = (index: number): void => {
    const holder = Number(draft.labelHolder);
    // The label holder keeps pointing at the same party, or at the first one when it goes.
    const labelHolder = draft.labelHolder === 'server' || holder < index ? draft.labelHolder : holder === index ? '0' : String(holder - 1);
    onDraft({ ...draft, parties: draft.parties.filter((_, i) => i !== index), labelHolder });
  };
  const setTask = (index: number, task: TaskDraft): void => onDraft({ ...draft, tasks: draft.tasks.map((each, i) => (i === index ? task : each)) });
  const anyImage = draft.parties.some((party) => party.input === 'image');
  const text = (label: string, field: 'idColumn' | 'labelColumn' | 'fileColumn' | 'labelWeight', hint?: string): ReactNode => (
    <Field label={label} field={field} errors={errors} {...(hint ? { hint } : {})}>
      {(props) => <input {...props} type="text" value={draft[field]} onChange={(event) => onDraft({ ...draft, [field]: event.target.value })} />}
    </Field>
  );
  const choice = (label: string, field: 'head' | 'intermediate', names: readonly string[]): ReactNode => (
    <Field label={label} field={field} errors={errors}>
      {(props) => (
        <select {...props} value={draft[field]} onChange={(event) => onDraft({ ...draft, [field]: event.target.value })}>
          <OptionList options={names} />
        </select>
      )}
    </Field>
  );
  return (
    <>
      <div role="group" aria-label="Parties">
        {draft.parties.map((party, index) => (
          <PartyRow key={index} party={party} index={index} count={draft.parties.length} onChange={(next) => setParty(index, next)} onRemove={() => removeParty(index)} />
        ))}
        {draft.parties.length < PARTIES.max && (
          <button type="button" onClick={() => onDraft({ ...draft, parties: [...draft.parties, defaultParty(draft.parties.length)] })}>
            Add a party
          </button>
        )}
        <Problem text={errors.parties} />
      </div>
      <div className="picker-grid">
        <Field label="Labels held by" field="labelHolder" errors={errors} hint="The label holder sends each batch’s labels with its cut outputs; the relay holds them when the researcher uploads them">
          {(props) => (
            <select {...props} value={draft.labelHolder} onChange={(event) => onDraft({ ...draft, labelHolder: event.target.value })}>
              {draft.parties.map((party, index) => (
                <option key={index} value={String(index)}>
                  {party.name.trim() || `Party ${index + 1}`}
                </option>
              ))}
              {draft.topology !== 'multi-task' && <option value="server">The relay (the researcher uploads a label table)</option>}
            </select>
          )}
        </Field>
        {text('Patient id column', 'idColumn', 'every party’s CSV has it; only blinded ids ever leave a device')}
        {text('Label column', 'labelColumn', 'in the label holder’s CSV')}
        {anyImage && text('Image file column', 'fileColumn', 'an image party’s CSV: each patient’s image file')}
        {choice('Relay layers', 'head', HEAD_CHOICES)}
        {draft.topology === 'extended' && choice('Intermediate participant’s layers', 'intermediate', INTERMEDIATE_CHOICES)}
        {draft.topology === 'multi-task' && text('First task’s weight', 'labelWeight', 'the study’s classes, from the label column')}
      </div>
      {draft.topology === 'multi-task' && (
        <div role="group" aria-label="Further tasks">
          {draft.tasks.map((task, index) => (
            <TaskRow key={index} task={task} index={index} count={draft.tasks.length} onChange={(next) => setTask(index, next)} onRemove={() => onDraft({ ...draft, tasks: draft.tasks.filter((_, i) => i !== index) })} />
          ))}
          {draft.tasks.length < TASKS.max && (
            <button type="button" onClick={() => onDraft({ ...draft, tasks: [...draft.tasks, defaultTask()] })}>
              Add a task
            </button>
          )}
          <Problem text={errors.tasks} />
        </div>
      )}
    </>
  );
}
