import { getTopologyDescriptor } from '@splitlearn/split-core/pure';
import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../../components/confirm_dialog';
import { FactList, type Fact } from '../../../components/fact_list';
import { PageSection } from '../../../components/page_section';
import { estimateRemainingMs } from '../../../lib/eta';
import { formatDuration } from '../../../lib/format';
import { describeStudyState, isParticipating, joinBlocker, type ContributeState } from '../contribute_state';

const CONNECTION: Record<ContributeState['connection'], string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  closed: 'Disconnected',
};

const ALIGNMENT_STEPS: Record<NonNullable<ContributeState['alignment']>['step'], string> = {
  started: 'Blinded patient ids sent; waiting for the other parties…',
  blinding: "Blinding the other parties' ids with this device's secret…",
  tags: 'Comparing tags to find the patients every party holds…',
  aligned: 'Lined up',
};

/** A vertical party: how lining its rows up with the other parties' went. */
function alignmentFacts(state: ContributeState): Fact[] {
  const { alignment, study } = state;
  if (!study?.vertical) return [];
  if (!alignment) return [{ label: 'Patients lined up', value: 'When the study starts, your rows are lined up with the other parties’ (only blinded ids are exchanged)' }];
  if (alignment.step !== 'aligned' || alignment.aligned === undefined) return [{ label: 'Patients lined up', value: ALIGNMENT_STEPS[alignment.step] }];
  return [
    { label: 'Patients lined up', value: `${alignment.aligned} of your ${alignment.rows} patients are held by every party` },
    { label: 'Patients used', value: `${alignment.train ?? 0} for training, ${alignment.val ?? 0} for validation (the same patients at every party)` },
  ];
}

function progressFacts(state: ContributeState): Fact[] {
  const { progress, study, studyState, trainLoss } = state;
  const remaining = progress ? estimateRemainingMs(progress.timing) : undefined;
  return [
    ...alignmentFacts(state),
    { label: 'Participant', value: state.participantId ?? '—' },
    { label: 'Connection', value: CONNECTION[state.connection] },
    { label: 'Study state', value: studyState ? describeStudyState(studyState, study) : 'Waiting for the study server…' },
    { label: 'Participants', value: studyState ? String(studyState.participants) : '—' },
    { label: 'Round', value: progress ? `${progress.round + 1}${study ? ` of ${study.rounds}` : ''}` : studyState ? String(studyState.round + 1) : '—' },
    { label: 'Phase', value: progress ? (progress.phase === 'train' ? 'Training' : 'Validation') : 'Waiting for a turn' },
    { label: 'Batches this round', value: progress ? `${progress.step} of ${progress.steps}` : '—' },
    {
      label: 'Local loss',
      value: trainLoss
        ? `${trainLoss.loss.toFixed(4)} (round ${trainLoss.round + 1})`
        : state.egress?.data === 'none'
          ? 'None here: this device holds no labels'
          : study && getTopologyDescriptor(study.topology).lossHolder === 'server'
            ? 'Computed on the study server (labels are sent there)'
            : '—',
    },
    { label: 'Estimated time left this round', value: remaining !== undefined ? formatDuration(remaining) : '—' },
  ];
}

export interface TrainingPanelProps {
  state: ContributeState;
  onJoin: () => void;
  onPause: () => void;
  onResume: () => void;
  onLeave: () => void;
  onWithdraw: () => void;
  onDownloadSegments: () => void;
}

export function TrainingPanel({ state, onJoin, onPause, onResume, onLeave, onWithdraw, onDownloadSegments }: TrainingPanelProps): ReactNode {
  const [confirming, setConfirming] = useState(false);
  const blocker = joinBlocker(state);
  const participating = isParticipating(state);
  return (
    <PageSection step={5} title="Contribute">
      {!participating && state.participation !== 'withdrawn' && (
        <div className="join-row">
          <button type="button" className="primary" disabled={blocker !== undefined} aria-describedby="join-blocker" onClick={onJoin}>
            Join and start contributing
          </button>
          <span id="join-blocker" className="hint">
            {blocker ?? (state.participation === 'left' ? 'You left the study. Join again to continue as the same participant.' : 'Training starts when the study server gives this device its turn.')}
          </span>
        </div>
      )}
      {state.participation === 'withdrawn' && (
        <p role="status">You have withdrawn from this study. The study server deleted what it stored about you, except the shared model your training already contributed to.</p>
      )}
      {participating && (
        <>
          {state.progress && (
            <div className="field">
              <label htmlFor="round-progress">Batches done this round</label>
              <progress id="round-progress" max={Math.max(state.progress.steps, 1)} value={state.progress.step} />
            </div>
          )}
          <FactList label="Training progress" facts={progressFacts(state)} />
          <div className="button-row">
            {state.participation === 'paused' ? (
              <button type="button" onClick={onResume}>
                Resume
              </button>
            ) : (
              <button type="button" onClick={onPause}>
                Pause
              </button>
            )}
            <button type="button" onClick={onLeave}>
              Leave
            </button>
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Withdraw from study…
            </button>
            {!state.study?.vertical && (
              <button type="button" onClick={onDownloadSegments} aria-describedby="download-hint">
                Download my model segment
              </button>
            )}
          </div>
          <p className="hint">Pause finishes the current batch and then stops. Leave disconnects; you can join again later as the same participant.</p>
          {state.study?.vertical ? (
            <p className="hint">Saving this party’s trained encoder as model files is not available for vertical studies yet.</p>
          ) : (
            <p id="download-hint" className="hint">
              The model layers trained on this device, as it holds them now (best once the study has finished), in the TensorFlow.js format: a .json file and its
              weights file per segment. Keep them next to each other.
            </p>
          )}
        </>
      )}
      <ConfirmDialog
        open={confirming}
        title="Withdraw from this study?"
        confirmLabel="Withdraw"
        onConfirm={() => {
          setConfirming(false);
          onWithdraw();
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>Your participation ends now and the study server deletes what it stored about you. What your training already added to the shared model cannot be taken out.</p>
      </ConfirmDialog>
    </PageSection>
  );
}
