import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { FactList } from '../../../components/fact_list';
import { PageSection } from '../../../components/page_section';
import { WhatLeavesPanel } from '../../../components/what_leaves_panel';
import { formatBytes, formatCount } from '../../../lib/format';
import { StudyApiError, type ConsoleApi, type ListedStudy } from '../../../lib/researcher/study_api';
import { Field, OptionList } from './field';
import { PartiesFields } from './parties_fields';
import { studyCost, type PositionCost, type StudyCost } from './study_cost';
import { BEST_ROUND_CHOICES, buildStudy, hasParties, issueText, CHAIN_LENGTHS, CODECS, cutChoices, draftModel, fieldOfPath, FORM_TOPOLOGIES, LR_SCHEDULE_CHOICES, METHOD_CHOICES, MODEL_CHOICES, OPTIMIZER_CHOICES, SCHEDULE_CHOICES, withChainLength, withNewStudyKey, withTopology, type DraftField, type FieldErrors, type FormTopology, type StudyDraft } from './study_draft';
import { METHOD_DESCRIPTORS, type MethodName } from '@splitlearn/split-core/pure';

// The new-study form: every field labelled (keyboard-usable, found by label in the e2e
// tests), each refusal shown at its field (split-core's before submit, the relay's after),
// and the study's cost before launch, from the same accounting the relay and the
// contribute page use.

const TOPOLOGY_TEXT: Record<FormTopology, string> = {
  vanilla: 'Vanilla (labels go to the relay)',
  'u-shaped': 'U-shaped (labels stay on each device)',
  'multi-hop': 'Multi-hop (a chain of participants before the relay)',
  vertical: 'Vertical (parties hold different data about the same patients)',
  extended: 'Extended vanilla (vertical, through an intermediate participant)',
  'multi-task': 'Multi-task (vertical, one head per task)',
};
const CUT_NAMES = ['Cut after layer', 'Second cut after layer', 'Third cut after layer', 'Fourth cut after layer'];
/** The fields under "Training recipe and privacy settings": a refusal of one opens the section. */
const ADVANCED_FIELDS: readonly DraftField[] = [
  'augmentation',
  'augmentShift',
  'augmentRotation',
  'augmentZoom',
  'augmentBrightness',
  'augmentContrast',
  'augmentFlip',
  'learningRateSchedule',
  'weightDecay',
  'labelSmoothing',
  'classWeights',
  'bestRoundMetric',
  'targetSensitivity',
  'noPeek',
  'activationClip',
  'activationSigma',
  'gradientNoise',
  'gradientNoiseScale',
  'studyKeyCheck',
];

function formatFlops(flops: number): string {
  return flops >= 1e9 ? `${(flops / 1e9).toFixed(2)} GFLOPs` : `${(flops / 1e6).toFixed(2)} MFLOPs`;
}

/** One participant's traffic and compute (every client's, or one position's of a chain). */
function PositionFacts({ position, batchSize }: { position: PositionCost; batchSize: number }): ReactNode {
  const who = position.name === undefined ? 'each client' : `the ${position.name.toLowerCase()}`;
  return (
    <FactList
      label={`What the study will cost ${who}`}
      facts={[
        ...(position.name !== undefined ? [{ label: 'Position', value: position.name }] : []),
        { label: 'Sent by each client per training step', value: formatBytes(position.upPerStep), bytes: position.upPerStep, hint: ` (a batch of ${formatCount(batchSize)})` },
        { label: 'Received by each client per training step', value: formatBytes(position.downPerStep), bytes: position.downPerStep },
        ...(position.upPerRound !== undefined ? [{ label: 'Sent by each client per round', value: formatBytes(position.upPerRound), bytes: position.upPerRound, hint: ' (its training steps; weights hand-off aside)' }] : []),
        ...(position.downPerRound !== undefined ? [{ label: 'Received by each client per round', value: formatBytes(position.downPerRound), bytes: position.downPerRound }] : []),
        { label: 'Client weights, per hand-off or average', value: formatBytes(position.weightsBundle), bytes: position.weightsBundle },
        ...(position.name !== undefined ? [{ label: 'FLOPs on this device per training sample', value: formatFlops(position.clientFlopsPerSample), hint: ` (${formatCount(position.clientFlopsPerSample)})` }] : []),
        { label: 'Parameters on each client', value: formatCount(position.clientParams) },
      ]}
    />
  );
}

function CostFacts({ cost, batchSize }: { cost: StudyCost; batchSize: number }): ReactNode {
  return (
    <>
      {cost.positions.map((position, index) => (
        <PositionFacts key={index} position={position} batchSize={batchSize} />
      ))}
      <FactList
        label="What the study will compute"
        facts={[
          { label: 'Client FLOPs per training sample', value: formatFlops(cost.clientFlopsPerSample), hint: ` (${formatCount(cost.clientFlopsPerSample)}${cost.positions.length > 1 ? ', all positions' : ''})` },
          { label: 'Relay FLOPs per training sample', value: formatFlops(cost.serverFlopsPerSample), hint: ` (${formatCount(cost.serverFlopsPerSample)})` },
        ]}
      />
    </>
  );
}

export interface NewStudyFormProps {
  api: ConsoleApi;
  draft: StudyDraft;
  onDraft: (draft: StudyDraft) => void;
  /** `studyKey`: the sealed hand-off's key, made in this browser, when the study has one. */
  onCreated: (study: ListedStudy, studyKey: string | undefined) => void;
}

export function NewStudyForm({ api, draft, onDraft, onCreated }: NewStudyFormProps): ReactNode {
  const [submitted, setSubmitted] = useState(false);
  const [relayErrors, setRelayErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const built = useMemo(() => buildStudy(draft), [draft]);
  const spec = useMemo(() => draftModel(draft), [draft]);
  const cost = useMemo(() => {
    if (!('config' in built)) return undefined;
    try {
      return studyCost(built.config);
    } catch {
      return undefined;
    }
  }, [built]);
  // Cut refusals are shown as soon as a cut is chosen; the others once the researcher submits.
  const localErrors: FieldErrors = 'errors' in built ? built.errors : {};
  const errors: FieldErrors = { ...(submitted ? localErrors : localErrors.cuts ? { cuts: localErrors.cuts } : {}), ...relayErrors };
  const set = <K extends DraftField>(field: K, value: StudyDraft[K]): void => {
    setRelayErrors((previous) => Object.fromEntries(Object.entries(previous).filter(([name]) => name !== field)));
    onDraft({ ...draft, [field]: value });
  };
  const change = (next: StudyDraft): void => {
    setRelayErrors({});
    onDraft(next);
  };
  const sealHandoff = async (on: boolean): Promise<void> => change(on ? await withNewStudyKey(draft) : { ...draft, studyKey: '', studyKeyCheck: '' });
  const cuts = draft.cuts;
  const splits = draft.method === 'splitnn';
  const parties = hasParties(draft.topology);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSubmitted(true);
    setProblem(undefined);
    if (!('config' in built)) return;
    setBusy(true);
    api.create(built.config).then(
      (study) => {
        setBusy(false);
        setSubmitted(false);
        onCreated(study, draft.studyKey || undefined);
      },
      (error: unknown) => {
        setBusy(false);
        if (error instanceof StudyApiError && error.issues.length > 0) {
          const fields: FieldErrors = {};
          const unplaced: string[] = [];
          for (const issue of error.issues) {
            const field = fieldOfPath(issue.path);
            if (field) fields[field] ??= issueText(issue.path, issue.message);
            else unplaced.push(issue.message);
          }
          setRelayErrors(fields);
          if (unplaced.length > 0) setProblem(`The relay refused the study: ${unplaced.join('; ')}`);
        } else setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };

  type TextField = { [K in DraftField]: StudyDraft[K] extends string ? K : never }[DraftField];
  const text = (label: string, field: TextField, hint?: string, inputMode?: 'numeric' | 'decimal'): ReactNode => (
    <Field label={label} field={field} errors={errors} {...(hint ? { hint } : {})}>
      {(props) => <input {...props} type="text" {...(inputMode ? { inputMode } : {})} value={draft[field]} onChange={(event) => set(field, event.target.value)} />}
    </Field>
  );
  type ChoiceField = 'model' | 'schedule' | 'optimizer' | 'codec' | 'learningRateSchedule' | 'bestRoundMetric';
  /** `options`: values, or [value, text] pairs. */
  const choice = (label: string, field: ChoiceField, options: readonly (string | readonly [string, string])[], hint?: string): ReactNode => (
    <Field label={label} field={field} errors={errors} {...(hint ? { hint } : {})}>
      {(props) => (
        <select {...props} value={draft[field]} onChange={(event) => set(field, event.target.value)}>
          <OptionList options={options} />
        </select>
      )}
    </Field>
  );

  return (
    <PageSection title="New study">
      <form onSubmit={submit} noValidate aria-label="New study">
        {text('Study name', 'name')}
        <div className="picker-grid">
          {!parties && choice('Model', 'model', MODEL_CHOICES)}
          {!parties && text('Input shape', 'inputShape', 'height, width, channels, e.g. 28, 28, 1')}
          {text('Classes', 'classes', 'comma-separated, in label order')}
        </div>
        <Field label="Topology" field="topology" errors={errors}>
          {(props) => (
            <select {...props} value={draft.topology} onChange={(event) => change(withTopology(draft, event.target.value as FormTopology))}>
              <OptionList options={FORM_TOPOLOGIES.map((topology) => [topology, TOPOLOGY_TEXT[topology]] as const)} />
            </select>
          )}
        </Field>
        {draft.topology === 'vanilla' && (
          <Field label="Method" field="method" errors={errors} hint={METHOD_DESCRIPTORS[draft.method].summary}>
            {(props) => (
              <select {...props} value={draft.method} onChange={(event) => set('method', event.target.value as MethodName)}>
                <OptionList options={METHOD_CHOICES.map((method) => [method, METHOD_DESCRIPTORS[method].title] as const)} />
              </select>
            )}
          </Field>
        )}
        {METHOD_DESCRIPTORS[draft.method].localEpochs && text('Local epochs', 'localEpochs', 'empty: the relay’s default', 'numeric')}
        {draft.topology === 'multi-hop' && (
          <Field label="Participants before the relay" field="cuts" errors={{}} hint="The data holder, then each hop; one cut each">
            {(props) => <input {...props} type="number" min={CHAIN_LENGTHS.min} max={CHAIN_LENGTHS.max} value={cuts.length} onChange={(event) => change(withChainLength(draft, Number(event.target.value)))} />}
          </Field>
        )}
        {parties && <PartiesFields draft={draft} errors={errors} onDraft={change} />}
        <div className="picker-grid">
          {(splits ? cuts : []).map((cut, index) => (
            <Field key={index} label={CUT_NAMES[index] ?? `Cut ${index + 1} after layer`} field="cuts" errors={index === cuts.length - 1 ? errors : {}} hint={index === 0 ? 'The device runs the layers up to its cut; the relay the rest' : undefined}>
              {(props) => (
                <select
                  {...props}
                  value={cut}
                  onChange={(event) => {
                    const next = [...cuts];
                    next[index] = event.target.value;
                    set('cuts', next);
                  }}
                >
                  <OptionList options={[['', 'The model’s default'], ...(spec ? cutChoices(spec) : [])]} />
                </select>
              )}
            </Field>
          ))}
        </div>
        <div className="picker-grid">
          {choice('Schedule', 'schedule', SCHEDULE_CHOICES)}
          {choice('Optimizer', 'optimizer', OPTIMIZER_CHOICES)}
          {text('Learning rate', 'learningRate', undefined, 'decimal')}
          {text('Batch size', 'batchSize', undefined, 'numeric')}
          {text('Rounds', 'rounds', undefined, 'numeric')}
          {text('Steps per round', 'maxStepsPerRound', 'empty: every batch of each client’s images', 'numeric')}
          {choice('Codec', 'codec', CODECS)}
          {text('Minimum clients', 'minClients', undefined, 'numeric')}
          {text('Participant limit', 'maxParticipants', 'empty: the relay’s own limit', 'numeric')}
          <Field label="Invitation ends" field="inviteExpiresAt" errors={errors} hint="empty: open-ended; after it the code admits nobody new, those who joined may come back">
            {(props) => <input {...props} type="datetime-local" value={draft.inviteExpiresAt} onChange={(event) => set('inviteExpiresAt', event.target.value)} />}
          </Field>
          {text('Validation fraction', 'validationFraction', 'share of each client’s images kept on its device for validation', 'decimal')}
          {text('Seed', 'seed', undefined, 'numeric')}
        </div>
        <details className="field" open={ADVANCED_FIELDS.some((field) => errors[field] !== undefined) ? true : undefined}>
          <summary>Training recipe and privacy settings</summary>
          <div className="picker-grid">
            {!parties && (
              <Field label="Augmentation" field="augmentation" errors={errors} hint="On each device, seeded; never leaves it">
                {(props) => (
                  <select {...props} value={draft.augmentation} onChange={(event) => set('augmentation', event.target.value === 'off' || event.target.value === 'custom' ? event.target.value : 'default')}>
                    <option value="default">The measured default (shifts, small turns, zoom, brightness, contrast)</option>
                    <option value="custom">Custom bounds</option>
                    <option value="off">Off</option>
                  </select>
                )}
              </Field>
            )}
            {!parties && draft.augmentation === 'custom' && (
              <>
                {text('Largest shift', 'augmentShift', 'share of the image, 0 to 0.5', 'decimal')}
                {text('Largest rotation', 'augmentRotation', 'degrees either way, 0 to 45', 'decimal')}
                {text('Largest zoom', 'augmentZoom', 'share of the image, in or out, 0 to 0.5', 'decimal')}
                {text('Largest brightness change', 'augmentBrightness', 'added to pixels in [0, 1], 0 to 0.5', 'decimal')}
                {text('Largest contrast change', 'augmentContrast', 'share around the image’s mean, 0 to 0.9', 'decimal')}
                <Field label="Mirror left to right" field="augmentFlip" errors={errors} hint="off for chest X-rays: they have a side">
                  {(props) => <input {...props} type="checkbox" checked={draft.augmentFlip} onChange={(event) => set('augmentFlip', event.target.checked)} />}
                </Field>
              </>
            )}
            {choice('Learning-rate schedule', 'learningRateSchedule', [['', 'constant'], ...LR_SCHEDULE_CHOICES.filter((name) => name !== 'constant')])}
            {text('Weight decay', 'weightDecay', 'empty: none', 'decimal')}
            {text('Label smoothing', 'labelSmoothing', 'empty: none', 'decimal')}
            {text('Class weights', 'classWeights', 'one per class, in the order of Classes; empty: none')}
            {choice('Best round by', 'bestRoundMetric', [['', 'auc'], ...BEST_ROUND_CHOICES.filter((name) => name !== 'auc')], 'the round exports and inference use')}
            {text('Target sensitivity', 'targetSensitivity', 'empty: the threshold of best balanced accuracy', 'decimal')}
            {text('NoPeek weight', 'noPeek', 'empty: off', 'decimal')}
            {text('Activation clipping norm', 'activationClip', 'with a noise level: clip, then add noise', 'decimal')}
            {text('Activation noise level', 'activationSigma', undefined, 'decimal')}
            <Field label="Gradient noise" field="gradientNoise" errors={errors}>
              {(props) => (
                <select {...props} value={draft.gradientNoise} onChange={(event) => set('gradientNoise', event.target.value === 'max-norm' || event.target.value === 'gaussian' ? event.target.value : '')}>
                  <option value="">Off</option>
                  <option value="max-norm">max-norm</option>
                  <option value="gaussian">gaussian</option>
                </select>
              )}
            </Field>
            {text('Gradient noise scale', 'gradientNoiseScale', undefined, 'decimal')}
            <Field label="Seal the hand-off end to end" field="studyKeyCheck" errors={errors} hint="Round-robin: client segments pass between participants sealed with a study key made in this browser; the relay gets only its check, and participants need the full invite link">
              {(props) => <input {...props} type="checkbox" checked={draft.studyKeyCheck !== ''} onChange={(event) => void sealHandoff(event.target.checked)} />}
            </Field>
          </div>
        </details>
        <h3>Before launch: what it will cost</h3>
        {cost ? <CostFacts cost={cost} batchSize={Number(draft.batchSize)} /> : <p className="hint">The cost appears once the model, input shape, classes and cuts make a study.</p>}
        {problem && (
          <p className="field-problem" role="alert">
            {problem}
          </p>
        )}
        <div className="button-row">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create study'}
          </button>
        </div>
      </form>
      {cost?.positions.map((position, index) => (
        <WhatLeavesPanel key={index} egress={position.egress} traffic={undefined} title={position.name === undefined ? 'What leaves each participant’s device' : `What leaves each participant’s device: ${position.name}`} step={null} />
      ))}
    </PageSection>
  );
}
