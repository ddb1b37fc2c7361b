import { useEffect, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { exportFileName } from '../../../lib/export/file_names';
import { saveBlob } from '../../../lib/export/save_blob';
import { clientName } from '../clients/client_rows';
import type { DashboardFeed } from '../feed/dashboard_feed';
import { chartPng } from './chart_png';
import type { ChartSpec, SeriesSpec } from './chart_specs';
import { plotOptions } from './plot_options';

// One uPlot chart fed straight from the feed: React renders the frame once; the feed marks it
// stale as rounds arrive and has it draw (from the store's own arrays) when the frame budget
// allows, often while in view and rarely out of it.
// The draw hook reports what was drawn (delay measurement) and counts draws in
// data-draws, for tests and the benchmark.

export interface LiveChartProps {
  feed: DashboardFeed;
  spec: ChartSpec;
  /** For the PNG's subtitle and file name. */
  studyName: string;
  /** What the reader needs to read the chart right (the leak chart: the defence in force), under it and in the PNG. */
  note?: string;
}

const MIN_WIDTH = 240;

export function LiveChart({ feed, spec, studyName, note }: LiveChartProps): ReactNode {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<{ plot: uPlot; series: readonly SeriesSpec[] } | undefined>(undefined);
  const [exportProblem, setExportProblem] = useState<string>();

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let draws = 0;
    let builtLayout = -1;
    const chartId = spec.id;
    const onDraw = (plot: uPlot): void => {
      draws += 1;
      host.dataset.draws = String(draws);
      const x = plot.data[0];
      const last = x[x.length - 1];
      host.dataset.points = String(x.length);
      // x counts rounds from 1; the feed tracks the relay's round numbers.
      if (last !== undefined) feed.chartDrawn(chartId, last - 1);
    };
    const names = (): ((participantId: string) => string) => {
      const byId = new Map(feed.getState().clients.map((client) => [client.participantId, clientName(client)]));
      return (participantId) => byId.get(participantId) ?? participantId;
    };
    const dataOf = (series: readonly SeriesSpec[]): uPlot.AlignedData => [feed.store.roundNumbers, ...series.map((entry) => entry.column)];
    const build = (): void => {
      plotRef.current?.plot.destroy();
      const series = spec.series(feed.store, names());
      builtLayout = feed.store.layoutVersion;
      const width = Math.max(MIN_WIDTH, host.clientWidth);
      const plot = new uPlot(plotOptions(spec, series, width, onDraw), dataOf(series), host);
      plotRef.current = { plot, series };
    };
    let needsBuild = true;
    let inView = false;
    const isShowing = (): boolean => inView && document.visibilityState === 'visible';
    const detach = feed.attachChart(chartId, {
      isShowing,
      invalidate: (change) => {
        if (change.layoutChanged && spec.perClient === true && feed.store.layoutVersion !== builtLayout) needsBuild = true;
      },
      draw: () => {
        const current = plotRef.current;
        if (!current || needsBuild) {
          needsBuild = false;
          build();
        } else {
          // batch: draw now rather than in a microtask, so the feed's frame budget sees the cost.
          current.plot.batch(() => current.plot.setData(dataOf(current.series)));
        }
      },
    });
    const visibility = new IntersectionObserver(
      (entries) => {
        const entry = entries[entries.length - 1];
        if (!entry) return;
        inView = entry.isIntersecting;
        feed.chartVisibilityChanged(chartId, isShowing());
      },
      // Start drawing a little before the chart scrolls into view.
      { rootMargin: '200px 0px' },
    );
    visibility.observe(host);
    const onPageVisibility = (): void => feed.chartVisibilityChanged(chartId, isShowing());
    document.addEventListener('visibilitychange', onPageVisibility);
    const resize = new ResizeObserver(() => {
      const current = plotRef.current;
      const width = Math.max(MIN_WIDTH, host.clientWidth);
      if (current && current.plot.width !== width) current.plot.setSize({ width, height: current.plot.height });
    });
    resize.observe(host);
    return () => {
      detach();
      visibility.disconnect();
      document.removeEventListener('visibilitychange', onPageVisibility);
      resize.disconnect();
      plotRef.current?.plot.destroy();
      plotRef.current = undefined;
    };
  }, [feed, spec]);

  const savePng = (): void => {
    // A chart out of view may be behind: draw what the store holds before saving it.
    feed.drawNow(spec.id);
    const current = plotRef.current;
    if (!current) return;
    setExportProblem(undefined);
    const subtitle = `${studyName} · ${feed.store.length} rounds · saved ${new Date().toLocaleString()}${note !== undefined ? ` · ${note}` : ''}`;
    chartPng(current.plot, spec.title, subtitle, current.series).then(
      (blob) => saveBlob(blob, exportFileName(studyName, spec.title, 'png')),
      (error: unknown) => setExportProblem(error instanceof Error ? error.message : String(error)),
    );
  };

  return (
    <figure className="chart" aria-labelledby={`chart-${spec.id}-title`}>
      <figcaption className="chart-title">
        <span id={`chart-${spec.id}-title`}>{spec.title}</span>
        <button type="button" className="link-button" onClick={savePng} aria-label={`Save “${spec.title}” as PNG`}>
          PNG
        </button>
      </figcaption>
      <div ref={hostRef} className="chart-plot" data-chart={spec.id} data-draws="0" data-points="0" />
      {note !== undefined && <p className="hint chart-note">{note}</p>}
      {exportProblem !== undefined && (
        <p className="hint" role="alert">
          Could not save the PNG: {exportProblem}
        </p>
      )}
    </figure>
  );
}
