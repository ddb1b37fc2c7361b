import type { ReactNode } from 'react';
import { FactList } from '../../../components/fact_list';
import { ENGINE_PREFERENCES, type BackendChoice, type EnginePreference } from '../../../worker/messages';
import { ENGINE_LABELS, engineName, explainEngine } from '../engine_choice';

export interface BackendStatusProps {
  backend: BackendChoice | undefined;
  /** The engine asked for (shown while it starts). */
  preference: EnginePreference;
  onPreference: (preference: EnginePreference) => void;
  /** Taking part in a study: the engine cannot change now. */
  locked: boolean;
  /** A training step of the study's client layers, timed on the engine running. */
  stepTime: { engine: BackendChoice['name']; ms: number; batchSize: number } | undefined;
}

function describeStepTime(backend: BackendChoice | undefined, stepTime: BackendStatusProps['stepTime']): string {
  if (!backend) return '—';
  if (!stepTime || stepTime.engine !== backend.name) return 'Measured once the study is found';
  const ms = stepTime.ms >= 100 ? Math.round(stepTime.ms) : Number(stepTime.ms.toPrecision(2));
  return `${ms} ms per batch of ${stepTime.batchSize} images (this study’s layers on this device)`;
}

export function BackendStatus({ backend, preference, onPreference, locked, stepTime }: BackendStatusProps): ReactNode {
  // The engine running for the choice shown; a switch under way shows none yet.
  const running = backend && (backend.preference ?? 'auto') === preference ? backend : undefined;
  return (
    <div className="engine">
      <div className="field">
        <label htmlFor="engine-choice">Training engine to use</label>
        <select id="engine-choice" value={preference} disabled={locked} onChange={(event) => onPreference(event.target.value as EnginePreference)} aria-describedby="engine-hint">
          {ENGINE_PREFERENCES.map((option) => (
            <option key={option} value={option}>
              {ENGINE_LABELS[option]}
            </option>
          ))}
        </select>
        <p id="engine-hint" className="hint">
          {locked ? 'The engine is fixed while this device takes part; leave the study to change it.' : 'Choose before joining. Automatic picks the graphics card where this browser has one, otherwise the processor.'}
        </p>
      </div>
      <FactList
        label="Training engine details"
        facts={[
          { label: 'Training engine', value: running ? engineName(running) : 'Starting…' },
          { label: 'Why this engine', value: running ? explainEngine(running) : 'Checking for a graphics card…' },
          { label: 'Training step', value: describeStepTime(running, stepTime) },
          ...(backend ? [{ label: 'Details', value: backend.reason }] : []),
        ]}
      />
    </div>
  );
}
