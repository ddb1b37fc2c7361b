import { useEffect, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../../components/confirm_dialog';
import { TokenForm } from '../../../components/token_form';
import { Notice } from '../../../components/notice';
import { SCHEDULE_NAMES } from '@splitlearn/split-core/pure';
import { downloadServerSegment } from '../../../lib/export/server_segment';
import type { protocol } from '@splitlearn/split-core/pure';
import { availableActions, createStudyApi, type ControlAction } from '../../../lib/researcher/study_api';
import { loadToken, saveToken } from '../../../lib/researcher/token_store';

// The researcher's side: the token (this tab only), start/pause/resume/stop, schedule and
// codec for the next rounds, and the trained server segment. Without a token the page is the
// read-only view anyone with the link gets.

const CODECS = ['fp32', 'fp16', 'int8'] as const;
const ACTION_TEXT: Record<ControlAction, string> = { start: 'Start', pause: 'Pause', resume: 'Resume', stop: 'Stop…' };
const CODEC_TEXT: Record<string, string> = { fp32: 'fp32 (exact)', fp16: 'fp16 (half the bytes)', int8: 'int8 (a quarter of the bytes)' };

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function OwnerControls({ study }: { study: protocol.StudyInfo }): ReactNode {
  const [token, setToken] = useState(() => loadToken(sessionStorage));
  const [busy, setBusy] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [done, setDone] = useState<string>();
  const [confirmStop, setConfirmStop] = useState(false);
  // Drafts only while the researcher is choosing: otherwise the selects follow the study.
  const [scheduleDraft, setScheduleDraft] = useState<string>();
  const [codecDraft, setCodecDraft] = useState<string>();
  const schedule = scheduleDraft ?? study.config.schedule;
  const codec = codecDraft ?? study.config.codec;
  useEffect(() => {
    // The relay announced a configuration (ours applied, or another researcher's): follow it.
    setScheduleDraft(undefined);
    setCodecDraft(undefined);
  }, [study.config.schedule, study.config.codec]);

  const api = createStudyApi(study.id, token);
  const applyToken = (next: string): void => {
    saveToken(sessionStorage, next);
    setToken(next.trim());
    setProblem(undefined);
  };
  const run = (label: string, task: () => Promise<string>): void => {
    setBusy(label);
    setProblem(undefined);
    setDone(undefined);
    task().then(
      (message) => setDone(message),
      (error: unknown) => setProblem(errorText(error)),
    ).finally(() => setBusy(undefined));
  };
  const control = (action: ControlAction): void => run(action, async () => {
    await api.control(action);
    return `Sent: ${action}. The state above changes when the relay has done it.`;
  });
  const changed = schedule !== study.config.schedule || codec !== study.config.codec;
  const applyChange = (): void =>
    run('change', async () => {
      await api.change({ ...(schedule !== study.config.schedule ? { schedule } : {}), ...(codec !== study.config.codec ? { codec } : {}) });
      return 'Changed: the next round runs with the new schedule and codec.';
    });
  const downloadSegment = (): void => run('download', () => downloadServerSegment(api, study.config.name));

  const allowed = availableActions(study.state);
  const locked = busy !== undefined;
  return (
    <div className="owner-controls">
      <TokenForm token={token} onToken={applyToken} />
      {problem !== undefined && <Notice tone="error" title="That did not work" next={problem} onDismiss={() => setProblem(undefined)} />}
      {done !== undefined && (
        <p role="status" className="hint">
          {done}
        </p>
      )}
      {token === '' ? (
        <p className="hint">The controls (start, pause, resume, stop, schedule, codec, model download) appear once the token is set.</p>
      ) : (
        <>
          {allowed.length === 0 && <p>The study has finished: nothing is left to control. The trained server segment can still be downloaded.</p>}
          {allowed.length > 0 && (
            <div className="button-row" role="group" aria-label="Study controls">
              {(['start', 'pause', 'resume', 'stop'] as const).map((action) => (
                <button
                  key={action}
                  type="button"
                  className={action === 'stop' ? 'danger' : action === 'start' || action === 'resume' ? 'primary' : ''}
                  disabled={locked || !allowed.includes(action)}
                  onClick={() => (action === 'stop' ? setConfirmStop(true) : control(action))}
                >
                  {busy === action ? `${ACTION_TEXT[action].replace('…', '')}…` : ACTION_TEXT[action]}
                </button>
              ))}
            </div>
          )}
          {study.state !== 'finished' && (
            <div className="input-row settings-row">
              <div className="field">
                <label htmlFor="study-schedule">Schedule</label>
                <select id="study-schedule" value={schedule} disabled={locked} onChange={(event) => setScheduleDraft(event.target.value)}>
                  {SCHEDULE_NAMES.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="study-codec">Codec</label>
                <select id="study-codec" value={codec} disabled={locked} onChange={(event) => setCodecDraft(event.target.value)}>
                  {CODECS.map((name) => (
                    <option key={name} value={name}>
                      {CODEC_TEXT[name]}
                    </option>
                  ))}
                </select>
              </div>
              <button type="button" disabled={locked || !changed} onClick={applyChange}>
                {busy === 'change' ? 'Applying…' : 'Apply from the next round'}
              </button>
            </div>
          )}
          <div className="button-row">
            <button type="button" disabled={locked} onClick={downloadSegment}>
              {busy === 'download' ? 'Downloading…' : 'Download server segment'}
            </button>
            <span className="hint">The relay’s trained layers in tfjs format (model.json and weights).</span>
          </div>
        </>
      )}
      <ConfirmDialog
        open={confirmStop}
        title="Stop this study?"
        confirmLabel="Stop the study"
        onConfirm={() => {
          setConfirmStop(false);
          control('stop');
        }}
        onCancel={() => setConfirmStop(false)}
      >
        <p>Training ends for every participant and the study cannot be restarted. The model trained so far is kept and can still be downloaded.</p>
      </ConfirmDialog>
    </div>
  );
}
