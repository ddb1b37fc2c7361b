import type { ReactNode } from 'react';

// A problem or a caution with its remedy: every notice says what to do next.

export function Notice({ tone, title, next, detail, onDismiss }: { tone: 'error' | 'warning' | 'info'; title: string; next: string; detail?: string; onDismiss?: () => void }): ReactNode {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <p className="notice-title">{title}</p>
      <p>{next}</p>
      {detail !== undefined && detail !== '' && <p className="notice-detail">Details: {detail}</p>}
      {onDismiss && (
        <button type="button" className="link-button" onClick={onDismiss} aria-label={`Dismiss: ${title}`}>
          Dismiss
        </button>
      )}
    </div>
  );
}
