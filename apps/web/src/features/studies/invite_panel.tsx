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

export function InvitePanel({ study, api }: { study: ListedStudy; api: ConsoleApi }): ReactNode {
  const link = `${window.location.origin}${joinPath(study.joinCode)}`;
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
      <div className="field">
        <label htmlFor="invite-code">Join code</label>
        <div className="input-row">
          <input id="invite-code" readOnly value={study.joinCode} size={12} />
          <CopyButton text={study.joinCode} label="Copy code" />
        </div>
      </div>
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
