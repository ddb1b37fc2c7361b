import type { MouseEvent, ReactNode } from 'react';
import { ContributePage } from '../features/contribute/contribute_page';
import { DashboardPage } from '../features/dashboard/dashboard_page';
import { StudyDashboard } from '../features/dashboard/study_dashboard';
import { DemoPage } from '../features/demo/demo_page';
import { StudiesPage } from '../features/studies/studies_page';
import type { Route } from '../lib/routes';
import { navigate, useRoute } from './use_route';

function AppLink({ to, children }: { to: string; children: ReactNode }): ReactNode {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    // Let the browser handle new-tab and modified clicks.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick}>
      {children}
    </a>
  );
}

function Page({ route }: { route: Route }): ReactNode {
  switch (route.page) {
    case 'contribute':
      // Keyed by code: a different study link starts a fresh page (and worker).
      return <ContributePage key={route.joinCode} joinCode={route.joinCode} />;
    case 'dashboard':
      return <DashboardPage studyId={route.studyId} />;
    case 'demo':
      // Features do not import each other: the demo gets the dashboard from here.
      return <DemoPage dashboard={(studyId) => <StudyDashboard key={studyId} studyId={studyId} controls="read-only" />} />;
    case 'studies':
      return <StudiesPage />;
    case 'not-found':
      return (
        <div className="page-intro">
          <h1>Page not found</h1>
          <p>
            There is no page at <code>{route.path}</code>. <AppLink to="/">Go to Contribute</AppLink>.
          </p>
        </div>
      );
  }
}

export function App(): ReactNode {
  const route = useRoute();
  return (
    <>
      <header className="app-header">
        <span className="brand">Split learning for hospitals</span>
        <nav aria-label="Main">
          <AppLink to="/">Contribute</AppLink>
          <AppLink to="/demo">Demo</AppLink>
          <AppLink to="/studies">Studies</AppLink>
        </nav>
      </header>
      <main className="app-main">
        <Page route={route} />
      </main>
    </>
  );
}
