import { memo, useId, type ReactNode } from 'react';
import { FactList, type Fact } from '../../../components/fact_list';
import { formatCount } from '../../../lib/format';
import type { BackendChoice } from '../../../worker/messages';
import type { HospitalStage, HospitalView } from '../demo_state';

const STAGES: Record<HospitalStage, string> = {
  queued: 'Waiting to start',
  starting: 'Starting its engine',
  preparing: 'Generating its images',
  joining: 'Joining the study',
  waiting: 'Waiting for its turn',
  training: 'Training',
  validating: 'Validating',
  finished: 'Finished',
  failed: 'Stopped',
};

function engine(backend: BackendChoice | undefined): string {
  if (!backend) return 'Starting…';
  return backend.name === 'webgpu' ? 'WebGPU' : backend.name === 'webgl' ? 'WebGL' : backend.name === 'wasm' ? 'WebAssembly' : 'CPU (JavaScript)';
}

function facts(hospital: HospitalView, lossOnServer: boolean): Fact[] {
  const { progress, localLoss } = hospital;
  return [
    { label: 'State', value: STAGES[hospital.stage] },
    { label: 'Engine', value: engine(hospital.backend) },
    { label: 'Round', value: progress ? String(progress.round + 1) : '—' },
    { label: 'Rounds trained', value: String(hospital.roundsTrained) },
    { label: 'Step', value: progress ? `${progress.step} of ${progress.steps} (${progress.phase === 'train' ? 'training' : 'validation'})` : '—' },
    {
      label: 'Local loss',
      // In vanilla split learning the labels and the last layers, hence the loss, are on the study server.
      value: localLoss ? `${localLoss.loss.toFixed(3)} (round ${localLoss.round + 1})` : lossOnServer ? 'On the study server' : '—',
    },
    { label: 'Images', value: hospital.trainCount !== undefined ? `${formatCount(hospital.trainCount)} training, ${formatCount(hospital.valCount ?? 0)} validation` : '—' },
  ];
}

/** One simulated hospital: what its worker is doing, on its own shard of the demo images. Re-renders only when its hospital changes. */
export const HospitalCard = memo(function HospitalCard({ hospital, lossOnServer }: { hospital: HospitalView; lossOnServer: boolean }): ReactNode {
  const titleId = useId();
  const { progress } = hospital;
  return (
    <article className={`card hospital-card hospital-${hospital.stage}`} aria-labelledby={titleId}>
      <h3 id={titleId}>{hospital.name}</h3>
      <progress aria-label={`${hospital.name} steps this round`} max={Math.max(progress?.steps ?? 1, 1)} value={progress?.step ?? 0} />
      <FactList label={`${hospital.name} details`} facts={facts(hospital, lossOnServer)} />
      {hospital.problem && <p className="hospital-problem">{hospital.problem.message}</p>}
    </article>
  );
});
