import { getTopologyDescriptor } from '@splitlearn/split-core/pure';
import { useMemo, useState, type ReactNode } from 'react';
import { Notice } from '../../components/notice';
import type { DemoSchedule } from './demo_api';
import { DEFAULT_HOSPITALS, hospitalsTrained, type DemoState } from './demo_state';
import { DemoControls } from './components/demo_controls';
import { DemoPreview } from './components/demo_preview';
import { HospitalCard } from './components/hospital_card';
import { useDemo } from './use_demo';

// The conference-booth demo: K simulated hospitals train one model together in this page,
// each in its own worker on its own shard of the generated images, beside the study's
// dashboard. Works offline from `npm start`.

export interface DemoPageProps {
  /** The study's dashboard, read-only (composed in app/: features do not import each other). */
  dashboard: (studyId: string) => ReactNode;
}

const STUDY_STATES: Record<string, string> = { open: 'waiting for hospitals', training: 'training', paused: 'paused', finished: 'finished' };

function StudyLine({ state }: { state: DemoState }): ReactNode {
  const { study } = state;
  if (state.phase === 'creating') return <p role="status">Starting a fresh demo study…</p>;
  if (!study) return <p className="hint">Pick how many hospitals take part and press Start. Each hospital is a worker in this page with its own share of the images.</p>;
  const joined = state.hospitals.filter((hospital) => hospital.participantId !== undefined).length;
  return (
    <p role="status" aria-label="Demo study">
      {study.config.name}: {STUDY_STATES[state.studyState ?? 'training']}, round {Math.min(state.studyRound + 1, study.config.rounds)} of {study.config.rounds}; {joined} of{' '}
      {state.hospitals.length} hospitals joined, {hospitalsTrained(state)} trained so far.{state.studyState === 'finished' ? ' Press Reset to train again.' : ''}{' '}
      <a href={`/dashboard/${encodeURIComponent(study.studyId)}`} target="_blank" rel="noreferrer">
        Open the dashboard in a new tab
      </a>
    </p>
  );
}

export function DemoPage({ dashboard }: DemoPageProps): ReactNode {
  const [hospitals, setHospitals] = useState(DEFAULT_HOSPITALS);
  // Round-robin by default: hospitals take turns, so one worker computes at a time and the
  // page keeps a core. Measured on 2 cores (e2e/demo_booth_bench.ts, bench-results/): with 16
  // hospitals a round took 9-14 s round-robin against 12 s SplitFed V2, and while training the
  // main thread missed 2 frames by over 100 ms (worst 167 ms) against 9 (worst 317 ms). With
  // 4 both stay smooth (SplitFed ~6 s a round, round-robin ~7). Neither hit a step timeout.
  const [schedule, setSchedule] = useState<DemoSchedule>('round-robin');
  const [wasmOnly, setWasmOnly] = useState(false);
  const { state, start } = useDemo(schedule, wasmOnly);
  const topology = state.study?.config.topology;
  const lossOnServer = topology !== undefined && getTopologyDescriptor(topology).lossHolder === 'server';
  const studyId = state.study?.studyId;
  // Built once per study: the cards re-render at every step, the dashboard has its own feed.
  const dashboardView = useMemo(() => (studyId !== undefined ? dashboard(studyId) : undefined), [dashboard, studyId]);
  return (
    <div className="demo-page">
      <div className="page-intro">
        <h1>Booth demo: hospitals training together</h1>
        <p>
          Each simulated hospital keeps its images in its own worker and sends only the outputs of the first model layers to the study server, which trains the rest of the
          model.
        </p>
      </div>
      <DemoControls phase={state.phase} hospitals={hospitals} schedule={schedule} onHospitalsChange={setHospitals} onScheduleChange={setSchedule} wasmOnly={wasmOnly} onWasmOnlyChange={setWasmOnly} onStart={() => start(hospitals)} />
      {state.error && <Notice tone="error" title="The demo could not start" next={state.error.message} />}
      <StudyLine state={state} />
      <div className="demo-layout">
        <div className="demo-hospitals">
          <section aria-label="Hospital cards" className="hospital-grid">
            {state.hospitals.map((hospital) => (
              <HospitalCard key={`${state.run}-${hospital.index}`} hospital={hospital} lossOnServer={lossOnServer} />
            ))}
          </section>
          <DemoPreview />
        </div>
        {dashboardView !== undefined && (
          <section aria-label="Study dashboard" className="demo-dashboard">
            {dashboardView}
          </section>
        )}
      </div>
    </div>
  );
}
