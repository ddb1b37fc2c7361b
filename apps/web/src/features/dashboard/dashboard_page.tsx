import type { ReactNode } from 'react';
import { StudyDashboard } from './study_dashboard';

// The researcher's page for one study: /dashboard/<studyId>. The same link is the read-only
// view; the controls need the researcher token, entered on the page and kept in this tab.

export function DashboardPage({ studyId }: { studyId: string }): ReactNode {
  if (studyId === '') {
    return (
      <div className="page-intro">
        <h1>Study dashboard</h1>
        <p>Open the dashboard link of a study: /dashboard/&lt;study id&gt;.</p>
      </div>
    );
  }
  return (
    <div className="dashboard-page">
      {/* Keyed by study: another study starts a fresh feed, charts and controls. */}
      <StudyDashboard key={studyId} studyId={studyId} controls="owner" />
    </div>
  );
}
