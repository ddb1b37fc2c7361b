import type { FormEvent, ReactNode } from 'react';
import { FactList } from '../../../components/fact_list';
import { Notice } from '../../../components/notice';
import { PageSection } from '../../../components/page_section';
import { formatShape } from '../../../lib/format';
import type { Identity } from '../../../lib/resume_store';
import type { StudySummary } from '../../../worker/messages';
import { getTopologyDescriptor } from '@splitlearn/split-core/pure';


export interface JoinFormProps {
  joinCode: string;
  lookingUp: boolean;
  study: StudySummary | undefined;
  savedIdentity: Identity | undefined;
  onJoinCodeChange: (joinCode: string) => void;
  onLookup: () => void;
}

export function JoinForm({ joinCode, lookingUp, study, savedIdentity, onJoinCodeChange, onLookup }: JoinFormProps): ReactNode {
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onLookup();
  };
  return (
    <PageSection step={1} title="Find your study">
      <form className="join-form" onSubmit={submit}>
        <label htmlFor="join-code">Join code</label>
        <div className="input-row">
          <input
            id="join-code"
            name="joinCode"
            value={joinCode}
            onChange={(event) => onJoinCodeChange(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. PNEU-4821"
            aria-describedby="join-code-hint"
          />
          <button type="submit" disabled={lookingUp || joinCode.trim() === ''}>
            {lookingUp ? 'Looking up…' : 'Find study'}
          </button>
        </div>
        <p id="join-code-hint" className="hint">
          Your study coordinator gives you a code or a link.
        </p>
      </form>
      {study && (
        <FactList
          label="Study details"
          facts={[
            { label: 'Study name', value: study.name },
            { label: 'Classes', value: study.classes.join(', ') },
            ...(study.vertical
              ? [
                  { label: 'Parties', value: study.vertical.parties.map((party) => party.name).join(', ') },
                  { label: 'Label holder', value: study.vertical.labelHolder === 'server' ? 'The study server (no party sends labels)' : (study.vertical.parties[study.vertical.labelHolder]?.name ?? '—') },
                  { label: 'Model', value: `An encoder per party, joined by the study server's ${study.model}` },
                ]
              : [
                  { label: 'Image size used', value: `${formatShape(study.inputShape)} (height × width × channels)` },
                  { label: 'Model', value: study.model },
                ]),
            { label: 'How the model is split', value: getTopologyDescriptor(study.topology).participation },
            { label: 'Schedule', value: study.schedule },
            { label: 'Rounds', value: String(study.rounds) },
          ]}
        />
      )}
      {study && savedIdentity && (
        <Notice
          tone="info"
          title="You have taken part in this study from this browser before"
          next="Choose the same images again and press Join: you continue as the same participant."
        />
      )}
    </PageSection>
  );
}
