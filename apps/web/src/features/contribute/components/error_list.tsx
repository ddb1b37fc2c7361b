import type { ReactNode } from 'react';
import { Notice } from '../../../components/notice';
import type { ContributeState } from '../contribute_state';
import { adviceFor } from '../error_advice';

export function ErrorList({ errors, onDismiss }: { errors: ContributeState['errors']; onDismiss: (id: number) => void }): ReactNode {
  if (errors.length === 0) return null;
  return (
    <div className="error-list">
      {errors.map((error) => (
        <Notice key={error.id} tone="error" {...adviceFor(error.code)} detail={error.message} onDismiss={() => onDismiss(error.id)} />
      ))}
    </div>
  );
}
