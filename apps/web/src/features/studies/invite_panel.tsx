import QRCode from 'qrcode';
import { useEffect, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../components/confirm_dialog';
import { PageSection } from '../../components/page_section';
import { joinPath } from '../../lib/routes';
import type { ConsoleApi, ListedStudy } from '../../lib/researcher/study_api';

// A study's invitation: the join link and code with copy buttons, the link as a QR code (for
// the booth and for clinicians on another device), and revoking the code for a new one
// (whoever has not joined yet then needs the new link; those who joined stay in).

function CopyButton({ text, label }: { text: string; label: string }): ReactNode {
  const [copied, setCopied] = useState<'yes' | 'no'>();
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => setCopied('yes'),
      () => setCopied('no'),
    );
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" className="hint">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'This browser did not allow copying: select the text and copy it.' : ''}
      </span>
    </>
  );
}

/** `studyKey`: a sealed hand-off's key, when this tab made the study; it goes in the link's fragment, which browsers never send. */
export function InvitePanel({ study, api, studyKey }: { study: ListedStudy; api: ConsoleApi; studyKey: string | undefined }): ReactNode {
  const sealed = typeof study.config.handoffKeyCheck === 'string';
  const link = `${window.location.origin}${joinPath(study.joinCode)}${sealed && studyKey ? `#key=${studyKey}` : ''}`;
  const [qr, setQr] = useState<string>();
  const [confirm, setConfirm] = useState(false);
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let current = true;
    QRCode.toDataURL(link, { margin: 1, width: 192 }).then(
      (url) => current && setQr(url),
      () => current && setQr(undefined),
    );
    return () => {
      current = false;
    };
  }, [link]);
  const reissue = (): void => {
    setConfirm(false);
    setProblem(undefined);
    // The new code reaches the panel with the list that follows the change.
    api.reissueJoinCode(study.id).then(undefined, (error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };
  return (
    <PageSection title={`Invite to “${study.name}”`}>
      <div className="field">
        <label htmlFor="invite-link">Join link</label>
        <div className="input-row">
          <input id="invite-link" readOnly value={link} size={Math.min(60, link.length)} />
          <CopyButton text={link} label="Copy link" />
        </div>
      </div>
      {sealed &&
        (studyKey ? (
          <div className="field">
            <label htmlFor="invite-key">Study key</label>
            <div className="input-row">
              <input id="invite-key" readOnly value={studyKey} size={46} aria-describedby="invite-key-hint" />
              <CopyButton text={studyKey} label="Copy key" />
            </div>
            <p id="invite-key-hint" className="hint">
              The hand-off is sealed with this key, made in this browser: the relay has only its check. It is in the link above (after #key=); keep a copy, since only this tab can show it again.
            </p>
          </div>
        ) : (
          <p className="field-problem" role="alert">
            This study’s hand-off is sealed with a study key made when it was created, in another tab: this one does not have it. Give participants the full invite link saved then (it ends with #key=…); the link below lacks the key.
          </p>
        ))}
      <div className="field">
        <label htmlFor="invite-code">Join code</label>
        <div className="input-row">
          <input id="invite-code" readOnly value={study.joinCode} size={12} />
          <CopyButton text={study.joinCode} label="Copy code" />
        </div>
      </div>
      {(study.config.inviteExpiresAt !== undefined || study.config.maxParticipants !== undefined) && (
        <p className="hint">
          {typeof study.config.inviteExpiresAt === 'number' && (
            <>
              The invitation ends <time dateTime={new Date(study.config.inviteExpiresAt).toISOString()}>{new Date(study.config.inviteExpiresAt).toLocaleString()}</time>.{' '}
            </>
          )}
          {typeof study.config.maxParticipants === 'number' && <>Up to {study.config.maxParticipants} participants.</>}
        </p>
      )}
      {qr && <img src={qr} alt={`QR code of the join link ${link}`} width={192} height={192} />}
      <div className="button-row">
        <button type="button" onClick={() => setConfirm(true)} disabled={study.state === 'finished'}>
          Revoke code and issue a new one…
        </button>
      </div>
      {problem && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      <ConfirmDialog open={confirm} title="Revoke this join code?" confirmLabel="Revoke and issue a new code" onConfirm={reissue} onCancel={() => setConfirm(false)}>
        <p>The old link and code stop working at once. Participants who already joined stay in; anyone else needs the new link.</p>
      </ConfirmDialog>
    </PageSection>
  );
}
