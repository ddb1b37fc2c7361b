import type { ReactNode } from 'react';

// Placeholder: the researcher dashboard is built under issue 4.
export function DashboardPage({ studyId }: { studyId: string }): ReactNode {
  return (
    <div className="page-intro">
      <h1>Study dashboard</h1>
      <p>
        Study <code>{studyId}</code>: live curves, clients and traffic will appear here.
      </p>
    </div>
  );
}
