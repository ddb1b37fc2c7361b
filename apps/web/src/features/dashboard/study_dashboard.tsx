import { useRef, type ReactNode } from 'react';
import './dashboard.css';
import { Notice } from '../../components/notice';
import { PageSection } from '../../components/page_section';
import { ChartGrid } from './charts/chart_grid';
import { ClientsTable } from './clients/clients_table';
import { StudyHeader } from './components/study_header';
import { ConfusionMatrix } from './confusion/confusion_matrix';
import { OwnerControls } from './controls/owner_controls';
import { exportFileName } from '../../lib/export/file_names';
import { metricsCsv } from './export/metrics_csv';
import { saveBlob } from '../../lib/export/save_blob';
import type { DashboardFeed, FeedState } from './feed/dashboard_feed';
import { TopologyDiagram } from './topology/topology_diagram';
import { useDashboardFeed, useFeedSlice } from './use_dashboard_feed';
import { useGatedSlice, useInView } from './use_gated_slice';

// A study's live dashboard, for the researcher's page (controls: 'owner', which offers the
// token field and the controls) and for embedding read-only (the booth demo).

export interface StudyDashboardProps {
  studyId: string;
  controls: 'owner' | 'read-only';
}

const selectClients = (state: FeedState): FeedState['clients'] => state.clients;
/** Often enough for people reading a table ("last seen" ticks by the second anyway); rarely out of view. */
const CLIENTS_REFRESH_MS = 500;
const CLIENTS_REFRESH_OUT_OF_VIEW_MS = 5_000;

function Clients({ feed }: { feed: DashboardFeed }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const inView = useInView(ref);
  const clients = useGatedSlice(feed, selectClients, inView ? CLIENTS_REFRESH_MS : CLIENTS_REFRESH_OUT_OF_VIEW_MS);
  return (
    <div ref={ref}>
      <ClientsTable clients={clients} live={inView} />
    </div>
  );
}

function LatestValidation({ feed, classes }: { feed: DashboardFeed; classes: readonly string[] }): ReactNode {
  const latest = useFeedSlice(feed, (state) => state.latest);
  const best = useFeedSlice(feed, (state) => state.best);
  return <ConfusionMatrix latest={latest} best={best} classes={classes} />;
}

function Problems({ feed }: { feed: DashboardFeed }): ReactNode {
  const problems = useFeedSlice(feed, (state) => state.problems);
  return problems.map((problem) => (
    <Notice key={problem.id} tone="warning" title={problem.title} next="The dashboard skipped this message; the rest stays current. If it repeats, the relay and this page may be different versions: reload the page." detail={problem.detail} />
  ));
}

function DashboardBody({ feed, studyId, controls }: StudyDashboardProps & { feed: DashboardFeed }): ReactNode {
  const study = useFeedSlice(feed, (state) => state.study);
  const refusal = useFeedSlice(feed, (state) => state.refusal);
  const name = study?.config.name ?? studyId;
  const saveCsv = (): void => saveBlob(new Blob([metricsCsv(feed.store)], { type: 'text/csv' }), exportFileName(name, 'metrics', 'csv'));
  if (refusal) {
    return (
      <Notice
        tone="error"
        title="This study cannot be shown"
        next={refusal.code === 'unknown-study' ? `The relay has no study “${studyId}”. Check the link with the researcher who sent it.` : refusal.message}
        detail={`${refusal.code}: ${refusal.message}`}
      />
    );
  }
  return (
    <div className="dashboard">
      <StudyHeader feed={feed} study={study} studyId={studyId} embedded={controls === 'read-only'} />
      <Problems feed={feed} />
      <div className="steps">
        {controls === 'owner' && study && (
          <PageSection title="Researcher controls">
            <OwnerControls study={study} />
          </PageSection>
        )}
        <PageSection title="Training curves">
          <div className="button-row section-actions">
            <button type="button" onClick={saveCsv}>
              Download metrics (CSV)
            </button>
          </div>
          <ChartGrid feed={feed} studyName={name} />
        </PageSection>
        <PageSection title="Latest validation">
          <LatestValidation feed={feed} classes={study?.config.classes ?? []} />
        </PageSection>
        <PageSection title="Clients">
          <Clients feed={feed} />
        </PageSection>
        {study && (
          <PageSection title="Who holds what">
            <TopologyDiagram config={study.config} />
          </PageSection>
        )}
      </div>
    </div>
  );
}

export function StudyDashboard({ studyId, controls }: StudyDashboardProps): ReactNode {
  const feed = useDashboardFeed(studyId);
  if (!feed) return <p className="hint">Connecting to the relay…</p>;
  return <DashboardBody feed={feed} studyId={studyId} controls={controls} />;
}
