import type { ReactNode } from 'react';
import type { DashboardFeed } from '../feed/dashboard_feed';
import { useFeedSlice } from '../use_dashboard_feed';
import { CHART_SPECS, labelsReachServer, leakDefence } from './chart_specs';
import { LiveChart } from './live_chart';

export function ChartGrid({ feed, studyName }: { feed: DashboardFeed; studyName: string }): ReactNode {
  // Coarse only: whether there is anything to draw yet. The charts themselves update outside React.
  const hasRounds = useFeedSlice(feed, (state) => state.progress.rounds > 0);
  const snapshotLoaded = useFeedSlice(feed, (state) => state.progress.snapshotLoaded);
  // Multi-task studies get a chart per task's figures once their first validation arrives.
  const hasTasks = useFeedSlice(feed, (state) => (state.latest?.metrics.tasks?.length ?? 0) > 0);
  // The leak chart where the relay watches it: a binary task whose labels reach the server.
  const watchesLeak = useFeedSlice(feed, (state) => state.study !== null && labelsReachServer(state.study.config));
  // Each leak figure is shown next to the defence that produced it.
  const defence = useFeedSlice(feed, (state) => (state.study !== null ? leakDefence(state.study.config) : undefined));
  return (
    <>
      {!hasRounds && <p className="hint">{snapshotLoaded ? 'No round has finished yet: the curves start when the first round ends.' : 'Loading the study’s history…'}</p>}
      <div className="chart-grid">
        {CHART_SPECS.filter((spec) => (spec.shownFor === 'tasks' ? hasTasks : spec.shownFor === 'leak' ? watchesLeak : true)).map((spec) => (
          <LiveChart key={spec.id} feed={feed} spec={spec} studyName={studyName} {...(spec.shownFor === 'leak' && defence !== undefined ? { note: defence } : {})} />
        ))}
      </div>
    </>
  );
}
