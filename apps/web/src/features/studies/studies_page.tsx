import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../components/confirm_dialog';
import { PageSection } from '../../components/page_section';
import { TokenForm } from '../../components/token_form';
import { StudyConfigSchema } from '@splitlearn/split-core/pure';
import { availableActions, createConsoleApi, createStudyApi, type ControlAction, type ListedStudy, type StudyState } from '../../lib/researcher/study_api';
import { downloadServerSegment } from '../../lib/export/server_segment';
import { loadStudyKey, saveStudyKey } from '../../lib/researcher/study_keys';
import { loadToken, saveToken } from '../../lib/researcher/token_store';
import { useStudiesFeed } from './feed/use_studies_feed';
import type { StudiesFeedState } from './feed/studies_feed_state';
import { InvitePanel } from './invite_panel';
import { NewStudyForm } from './new_study/new_study_form';
import { defaultDraft, draftFromConfig, withNewStudyKey, type StudyDraft } from './new_study/study_draft';

// The researcher's console (/studies): sign in with the relay's token, see every study, create
// one from a form, invite participants, and start, pause, resume, stop or duplicate a study.
// The list follows the relay live: its '/console' feed sends the whole list after every change
// (a study created, started or stopped, a round done, a participant come or gone, a code
// re-issued), so the page never polls.

const STATES: readonly StudyState[] = ['open', 'training', 'paused', 'finished'];
const ACTION_TEXT: Record<ControlAction, string> = { start: 'Start', pause: 'Pause', resume: 'Resume', stop: 'Stop…' };

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function StudyRow({ study, onAction, onInvite, onDuplicate, onDownload }: { study: ListedStudy; onAction: (action: ControlAction) => void; onInvite: () => void; onDuplicate: () => void; onDownload: () => void }): ReactNode {
  const topology = study.config.method && study.config.method !== 'splitnn' ? `${study.config.topology} (${study.config.method})` : study.config.topology;
  return (
    <tr>
      <th scope="row">
        <a href={`/dashboard/${encodeURIComponent(study.id)}`}>{study.name}</a>
      </th>
      <td>{study.state}</td>
      <td>
        {study.round} of {study.rounds}
      </td>
      <td>{study.participants}</td>
      <td>{topology}</td>
      <td>{study.config.schedule}</td>
      <td>
        <time dateTime={new Date(study.createdAt).toISOString()}>{new Date(study.createdAt).toLocaleString()}</time>
      </td>
      <td>
        <div className="input-row" role="group" aria-label={`Actions for ${study.name}`}>
          {availableActions(study.state).map((action) => (
            <button key={action} type="button" onClick={() => onAction(action)}>
              {ACTION_TEXT[action]}
            </button>
          ))}
          <button type="button" onClick={onInvite}>
            Invite
          </button>
          <button type="button" onClick={onDuplicate}>
            Duplicate
          </button>
          <a href={`/api/studies/${encodeURIComponent(study.id)}/metrics.csv`} download>
            Metrics CSV
          </a>
          {/* The relay keeps a checkpoint from the first finished round on. */}
          <button type="button" onClick={onDownload} disabled={study.round === 0} title={study.round === 0 ? 'Available once the first round has finished' : undefined}>
            Server segment
          </button>
        </div>
      </td>
    </tr>
  );
}

/** Whether the list is live, and why not. */
function FeedStatus({ feed }: { feed: StudiesFeedState }): ReactNode {
  if (feed.problem) {
    return (
      <p className="field-problem" role="alert">
        {feed.problem}
      </p>
    );
  }
  const text = { connecting: 'Connecting to the relay…', live: 'Live: the list follows the relay.', reconnecting: `Reconnecting to the relay${feed.detail ? ` (${feed.detail})` : ''}: the list shows what it last said.`, refused: '' }[feed.status];
  return text ? (
    <p className="hint" aria-live="polite">
      {text}
    </p>
  ) : null;
}

export function StudiesPage(): ReactNode {
  const [token, setToken] = useState(() => loadToken(sessionStorage));
  const [filter, setFilter] = useState<StudyState | 'all'>('all');
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [inviting, setInviting] = useState<string>();
  const [stopping, setStopping] = useState<ListedStudy>();
  const [draft, setDraft] = useState<StudyDraft>(defaultDraft);
  const api = useMemo(() => createConsoleApi(token), [token]);

  const feed = useStudiesFeed(token);
  const studies = feed.studies;

  // A token the relay refuses is forgotten: the sign-in form comes back with the reason.
  useEffect(() => {
    if (feed.status !== 'refused') return;
    setProblem(feed.detail);
    if (feed.tokenRefused) {
      saveToken(sessionStorage, '');
      setToken('');
    }
  }, [feed.status, feed.detail, feed.tokenRefused]);

  const applyToken = (next: string): void => {
    saveToken(sessionStorage, next);
    setToken(next.trim());
    setProblem(undefined);
  };

  const act = (study: ListedStudy, action: ControlAction): void => {
    if (action === 'stop' && !stopping) {
      setStopping(study);
      return;
    }
    setStopping(undefined);
    createStudyApi(study.id, token)
      .control(action)
      .then(
        () => setNotice(`${ACTION_TEXT[action].replace('…', '')}: “${study.name}”.`),
        (error: unknown) => setProblem(errorText(error)),
      );
  };

  const download = (study: ListedStudy): void => {
    setNotice(`Downloading the server segment of “${study.name}”…`);
    downloadServerSegment(createStudyApi(study.id, token), study.name).then(
      (saved) => setNotice(saved),
      (error: unknown) => {
        setNotice(undefined);
        setProblem(errorText(error));
      },
    );
  };

  const duplicate = (study: ListedStudy): void => {
    const parsed = StudyConfigSchema.safeParse(study.config);
    if (!parsed.success) {
      setProblem(`“${study.name}” cannot be read as a study by this page (${parsed.error.issues[0]?.message ?? 'unreadable'}): the relay may be of another version; create its copy over the API (README: “Creating a study”).`);
      return;
    }
    const copy = draftFromConfig(parsed.data, `${study.name} (copy)`);
    setNotice(`The form holds a copy of “${study.name}”: change what should differ, then create it.`);
    if (parsed.data.handoffKeyCheck === undefined) {
      setDraft(copy);
      return;
    }
    // A sealed study's copy is sealed too, under a key of its own.
    withNewStudyKey(copy).then(setDraft, (error: unknown) => setProblem(errorText(error)));
  };

  if (token === '') {
    return (
      <>
        <div className="page-intro">
          <h1>Studies</h1>
          <p>Create studies, invite participants and run them. This page needs the researcher token.</p>
        </div>
        <PageSection title="Sign in">
          {problem && (
            <p className="field-problem" role="alert">
              {problem}
            </p>
          )}
          <TokenForm token={token} onToken={applyToken} />
        </PageSection>
      </>
    );
  }

  const shown = (studies ?? []).filter((study) => filter === 'all' || study.state === filter).sort((a, b) => b.createdAt - a.createdAt);
  const invited = studies?.find((study) => study.id === inviting);
  return (
    <>
      <div className="page-intro">
        <h1>Studies</h1>
        <TokenForm token={token} onToken={applyToken} />
      </div>
      {problem && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      {notice && (
        <p role="status" className="hint">
          {notice}
        </p>
      )}
      <PageSection title="Your studies">
        <FeedStatus feed={feed} />
        <div className="field">
          <label htmlFor="study-state-filter">Show</label>
          <select id="study-state-filter" value={filter} onChange={(event) => setFilter(event.target.value as StudyState | 'all')}>
            <option value="all">All studies</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </div>
        {studies === undefined ? (
          <p className="hint">Reading the studies…</p>
        ) : shown.length === 0 ? (
          <p className="hint">{studies.length === 0 ? 'No studies yet: create one below.' : 'No study in this state.'}</p>
        ) : (
          <table className="class-table" aria-label="Studies">
            <thead>
              <tr>
                <th scope="col">Study</th>
                <th scope="col">State</th>
                <th scope="col">Round</th>
                <th scope="col">Participants</th>
                <th scope="col">Topology</th>
                <th scope="col">Schedule</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((study) => (
                <StudyRow key={study.id} study={study} onAction={(action) => act(study, action)} onInvite={() => setInviting(study.id)} onDuplicate={() => duplicate(study)} onDownload={() => download(study)} />
              ))}
            </tbody>
          </table>
        )}
      </PageSection>
      {invited && <InvitePanel study={invited} api={api} studyKey={loadStudyKey(sessionStorage, invited.id)} />}
      <NewStudyForm
        api={api}
        draft={draft}
        onDraft={setDraft}
        onCreated={(study, studyKey) => {
          if (studyKey) saveStudyKey(sessionStorage, study.id, studyKey);
          setNotice(`Created “${study.name}”: invite participants, then start it when enough have joined.`);
          setDraft(defaultDraft());
          setInviting(study.id);
        }}
      />
      <ConfirmDialog open={stopping !== undefined} title={`Stop “${stopping?.name ?? ''}”?`} confirmLabel="Stop the study" onConfirm={() => stopping && act(stopping, 'stop')} onCancel={() => setStopping(undefined)}>
        <p>The study ends after the current step and cannot be started again; its checkpoints and metrics stay. Duplicate it to train again.</p>
      </ConfirmDialog>
    </>
  );
}
