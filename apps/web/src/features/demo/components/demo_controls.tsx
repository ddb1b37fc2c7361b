import { useId, type ReactNode } from 'react';
import { DEMO_SCHEDULES, type DemoSchedule } from '../demo_api';
import { MAX_HOSPITALS, MIN_HOSPITALS, type DemoPhase } from '../demo_state';

const SCHEDULE_NAMES: Record<DemoSchedule, string> = {
  'round-robin': 'Round-robin (hospitals take turns)',
  'splitfed-v1': 'SplitFed V1 (all at once, server copies)',
  'splitfed-v2': 'SplitFed V2 (all at once, shared server)',
};

export interface DemoControlsProps {
  phase: DemoPhase;
  hospitals: number;
  schedule: DemoSchedule;
  onHospitalsChange: (hospitals: number) => void;
  onScheduleChange: (schedule: DemoSchedule) => void;
  /** Every hospital on WebAssembly, none on WebGL. */
  wasmOnly: boolean;
  onWasmOnlyChange: (wasmOnly: boolean) => void;
  onStart: () => void;
}

export function DemoControls({ phase, hospitals, schedule, onHospitalsChange, onScheduleChange, wasmOnly, onWasmOnlyChange, onStart }: DemoControlsProps): ReactNode {
  const hospitalsId = useId();
  const scheduleId = useId();
  const running = phase === 'running' || phase === 'creating';
  return (
    <div className="card demo-controls">
      <div className="field">
        <label htmlFor={hospitalsId}>Hospitals</label>
        <select id={hospitalsId} value={hospitals} onChange={(event) => onHospitalsChange(Number(event.target.value))}>
          {Array.from({ length: MAX_HOSPITALS - MIN_HOSPITALS + 1 }, (_, i) => MIN_HOSPITALS + i).map((count) => (
            <option key={count} value={count}>
              {count}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={scheduleId}>Schedule</label>
        <select id={scheduleId} value={schedule} onChange={(event) => onScheduleChange(event.target.value as DemoSchedule)}>
          {DEMO_SCHEDULES.map((name) => (
            <option key={name} value={name}>
              {SCHEDULE_NAMES[name]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label>
          <input type="checkbox" checked={wasmOnly} disabled={running} onChange={(event) => onWasmOnlyChange(event.target.checked)} aria-describedby={`${scheduleId}-engine`} /> WebAssembly only
        </label>
        <p id={`${scheduleId}-engine`} className="hint">
          Every hospital trains on the processor. Use it on a laptop with a graphics card: 16 pages asking it for WebGL at once can exceed the browser’s limit of WebGL contexts.
        </p>
      </div>
      <div className="button-row">
        {running ? (
          <button type="button" onClick={onStart} disabled={phase === 'creating'}>
            Reset
          </button>
        ) : (
          <button type="button" className="primary" onClick={onStart}>
            Start the demo
          </button>
        )}
      </div>
    </div>
  );
}
