import type uPlot from 'uplot';
import type { ChartSpec, SeriesSpec } from './chart_specs';

// A ChartSpec as uPlot options (types only from uPlot, so this stays testable without a DOM).

export const CHART_HEIGHT = 200;
const AXIS_FONT = '12px system-ui, sans-serif';
const GRID = { stroke: '#e6e9ef', width: 1 };
/** Rounds are whole: ticks at 1, 2, 5 × powers of ten, never at round 2.5. */
const ROUND_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

export function plotOptions(spec: ChartSpec, series: readonly SeriesSpec[], width: number, onDraw: (plot: uPlot) => void): uPlot.Options {
  const format = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : spec.formatValue(value));
  const band = spec.band?.(series);
  return {
    width,
    height: CHART_HEIGHT,
    // The feed decides when to draw; uPlot's own resize handling is replaced by a ResizeObserver.
    scales: {
      x: { time: false },
      y: spec.logScale ? { distr: 3 } : spec.yRange ? { range: spec.yRange } : {},
    },
    axes: [
      { label: 'Round', font: AXIS_FONT, labelFont: AXIS_FONT, grid: GRID, labelSize: 18, incrs: ROUND_INCREMENTS },
      {
        label: spec.yLabel,
        font: AXIS_FONT,
        labelFont: AXIS_FONT,
        grid: GRID,
        size: 68,
        labelSize: 18,
        // A log axis leaves its minor ticks unlabelled (null).
        values: (_plot, splits) => splits.map((value: number | null) => (value === null ? '' : spec.formatValue(value))),
      },
    ],
    series: [
      { label: 'Round', value: (_plot, value) => (value === null ? '—' : String(value)) },
      ...series.map((entry) => ({
        label: entry.label,
        stroke: entry.color,
        width: entry.width ?? 1.5,
        ...(entry.dash ? { dash: entry.dash } : {}),
        // Validation runs on some rounds only: join its points instead of drawing dots.
        spanGaps: true,
        points: { show: false },
        value: (_plot: uPlot, value: number | null) => format(value),
      })),
    ],
    ...(band ? { bands: [{ series: band, fill: 'rgba(122, 133, 153, 0.15)' }] } : {}),
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false } },
    hooks: { draw: [onDraw] },
  };
}
