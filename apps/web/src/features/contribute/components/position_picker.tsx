import type { ReactNode } from 'react';
import { PageSection } from '../../../components/page_section';
import type { StudySummary } from '../../../worker/messages';

// Step 2 of a multi-hop study: this device's place in the chain. A data holder trains on its
// own images (chosen below); a hop holds no data: it runs its layers on what the participant
// before it sends and passes the result on, so it can join at once.

type Positions = NonNullable<StudySummary['positions']>;

export interface PositionPickerProps {
  positions: Positions;
  position: number | undefined;
  onPosition: (position: number) => void;
  disabled: boolean;
}

export function PositionPicker({ positions, position, onPosition, disabled }: PositionPickerProps): ReactNode {
  const chosen = position === undefined ? undefined : positions[position];
  return (
    <PageSection step={2} title="Choose your place in the chain">
      <p>
        In this study the model is split into a chain: a data holder runs the first layers on its own images, each hop runs the next layers on what the participant before it
        sends, and the study server runs the rest. Labels go from the data holder straight to the server, never through a hop.
      </p>
      <div className="field">
        <label htmlFor="position">Your place in the chain</label>
        <select id="position" value={position ?? ''} disabled={disabled} onChange={(event) => onPosition(Number(event.target.value))}>
          <option value="" disabled>
            Choose…
          </option>
          {positions.map((entry, index) => (
            <option key={entry.name} value={index}>
              {entry.name}
              {entry.intermediate ? ' (no data needed)' : ' (with your images)'}
            </option>
          ))}
        </select>
      </div>
      {chosen && (
        <p className="hint" role="status">
          Your role: <strong>{chosen.name}</strong>.{' '}
          {chosen.intermediate
            ? 'This device holds no patient data: it receives only the outputs of the participant before it, never images or labels.'
            : 'Choose your images below: they stay in this browser, only the outputs of your layers and the labels (to the server) are sent.'}
        </p>
      )}
    </PageSection>
  );
}
