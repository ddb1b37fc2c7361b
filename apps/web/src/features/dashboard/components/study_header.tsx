import { useState, type ReactNode } from 'react';
import { formatInteger } from '../dashboard_format';
import type { ConnectionStatus, DashboardFeed } from '../feed/dashboard_feed';
import type { protocol } from '@splitlearn/split-core/pure';
import { useFeedSlice } from '../use_dashboard_feed';

// The study at a glance: its name, state, progress and the connection, and the read-only
// link to share (the same address: read-only is what you get without the token).

const STATE_TEXT: Record<protocol.StudyInfo['state'], string> = { open: 'Waiting to start', training: 'Training', paused: 'Paused', finished: 'Finished' };
const CONNECTION_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting to the relay…',
  live: 'Live',
  reconnecting: 'Connection lost, reconnecting…',
  refused: 'Not available',
};

export function dashboardLink(origin: string, studyId: string): string {
  return `${origin}/dashboard/${encodeURIComponent(studyId)}`;
}

function CopyLink({ studyId }: { studyId: string }): ReactNode {
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const link = dashboardLink(window.location.origin, studyId);
  const copy = (): void => {
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) {
      setCopied('failed');
      return;
    }
    clipboard.writeText(link).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  };
  return (
    <span className="copy-link">
      <button type="button" onClick={copy}>
        Copy read-only link
      </button>
      {copied === 'yes' && <span role="status">Copied. Anyone with it can watch, not control.</span>}
      {copied === 'failed' && (
        <label className="copy-link-manual">
          <span className="hint">Copy it from here:</span>
          <input readOnly value={link} onFocus={(event) => event.target.select()} />
        </label>
      )}
    </span>
  );
}

/** `embedded`: inside another page (the booth demo), whose own h1 names the page. */
export function StudyHeader({ feed, study, studyId, embedded }: { feed: DashboardFeed; study: protocol.StudyInfo | null; studyId: string; embedded: boolean }): ReactNode {
  const Heading = embedded ? 'h2' : 'h1';
  const connection = useFeedSlice(feed, (state) => state.connection);
  const detail = useFeedSlice(feed, (state) => state.connectionDetail);
  const finished = useFeedSlice(feed, (state) => state.progress.rounds);
  return (
    <div className="page-intro dashboard-header">
      <Heading>{study ? study.config.name : 'Study dashboard'}</Heading>
      <p className="dashboard-status">
        <span className={`state-badge state-${study?.state ?? 'unknown'}`}>{study ? STATE_TEXT[study.state] : 'Loading…'}</span>
        {study && (
          <span>
            {formatInteger(finished)} of {formatInteger(study.config.rounds)} rounds finished
          </span>
        )}
        <span className={`connection connection-${connection}`} role="status" title={detail ?? undefined}>
          {CONNECTION_TEXT[connection]}
          {connection === 'reconnecting' && detail ? ` (${detail})` : ''}
        </span>
        <span className="hint">
          Study <code>{studyId}</code>
        </span>
      </p>
      <CopyLink studyId={studyId} />
    </div>
  );
}
