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
  studyKey: string;
  /** undefined while being checked, null when the key opens this study's hand-off, else why not. */
  studyKeyProblem: string | null | undefined;
  onStudyKeyChange: (studyKey: string) => void;
}

/** A study whose hand-off is encrypted: the key, from the invite link or typed in, and whether it is this study's. */
function StudyKeyField({ studyKey, problem, onChange }: { studyKey: string; problem: string | null | undefined; onChange: (studyKey: string) => void }): ReactNode {
  return (
    <div className="field">
      <label htmlFor="study-key">Study key</label>
      <input id="study-key" name="studyKey" className="key-input" value={studyKey} onChange={(event) => onChange(event.target.value)} autoComplete="off" spellCheck={false} aria-describedby="study-key-hint study-key-status" />
      <p id="study-key-hint" className="hint">
        This study passes the model between hospitals end-to-end encrypted. Its key came in your invite link (after #key=) or from the researcher; it stays in this browser and is never sent.
      </p>
      <p id="study-key-status" role="status" className={problem ? 'field-problem' : 'hint'}>
        {problem === undefined ? 'Checking the key…' : problem === null ? 'The key is this study’s.' : problem}
      </p>
    </div>
  );
}

export function JoinForm({ joinCode, lookingUp, study, savedIdentity, onJoinCodeChange, onLookup, studyKey, studyKeyProblem, onStudyKeyChange }: JoinFormProps): ReactNode {
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
      {study?.handoffKeyCheck !== undefined && <StudyKeyField studyKey={studyKey} problem={studyKeyProblem} onChange={onStudyKeyChange} />}
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
