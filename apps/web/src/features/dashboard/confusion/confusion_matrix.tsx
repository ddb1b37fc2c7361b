import type { CSSProperties, ReactNode } from 'react';
import { FactList } from '../../../components/fact_list';
import { formatInteger, formatMetric, formatPercent, roundLabel } from '../dashboard_format';
import type { FeedState } from '../feed/dashboard_feed';
import type { LatestEvaluation } from '../feed/round_row';
import { describeConfusion } from './confusion_view';

// The latest round's validation as a confusion matrix: counts, the share of each true class
// (row percentages, shaded), and next to accuracy the per-class sensitivity and specificity,
// since with imbalanced classes a model that always predicts the majority looks accurate.

const METRIC_NAMES: Record<NonNullable<FeedState['best']>['metric'], string> = { auc: 'AUC', accuracy: 'accuracy', 'balanced-accuracy': 'balanced accuracy', loss: 'validation loss' };

export function ConfusionMatrix({ latest, best = null, classes }: { latest: LatestEvaluation | null; best?: FeedState['best']; classes: readonly string[] }): ReactNode {
  if (latest === null) return <p className="hint">No validation yet: the matrix appears after the first round that validated.</p>;
  const { metrics } = latest;
  const view = describeConfusion(metrics.confusion, classes);
  const binary = view.classes.length === 2;
  return (
    <div className="confusion">
      <div className="table-scroll">
        <table className="confusion-table" aria-label={`Confusion matrix, ${roundLabel(latest.round)}`}>
          <caption>
            Validation of {roundLabel(latest.round)}, {formatInteger(view.total)} samples. Rows: true class; columns: predicted class.
          </caption>
          <thead>
            <tr>
              <th scope="col">True \ predicted</th>
              {view.classes.map((name) => (
                <th key={name} scope="col">
                  {name}
                </th>
              ))}
              <th scope="col">Samples</th>
              <th scope="col">Sensitivity</th>
              <th scope="col">Specificity</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map((row, trueClass) => (
              <tr key={row.name}>
                <th scope="row">{row.name}</th>
                {row.cells.map((cell, predicted) => (
                  <td
                    key={view.classes[predicted]}
                    className={`confusion-cell ${predicted === trueClass ? 'confusion-correct' : ''}`}
                    // Shade by row share: how the true class's samples were spread.
                    style={{ '--share': cell.rowShare ?? 0 } as CSSProperties}
                  >
                    <span className="confusion-count">{formatInteger(cell.count)}</span>
                    <span className="confusion-share">{formatPercent(cell.rowShare)}</span>
                  </td>
                ))}
                <td className="number">
                  {formatInteger(row.total)} ({formatPercent(view.prevalence[trueClass])})
                </td>
                <td className="number">{formatPercent(row.sensitivity)}</td>
                <td className="number">{formatPercent(row.specificity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FactList
        label="Validation summary"
        facts={[
          { label: 'Accuracy', value: formatPercent(metrics.accuracy) },
          { label: 'Balanced accuracy', value: formatPercent(view.balancedAccuracy), hint: 'Mean sensitivity over classes: not inflated by the majority class.' },
          {
            label: binary ? `Sensitivity (${view.classes[1] ?? 'class 1'})` : 'Sensitivity (macro)',
            value: formatPercent(metrics.sensitivity),
            ...(binary ? { hint: `Share of ${view.classes[1] ?? 'positive'} cases found.` } : {}),
          },
          {
            label: binary ? `Specificity (${view.classes[0] ?? 'class 0'})` : 'Specificity (macro)',
            value: formatPercent(metrics.specificity),
            ...(binary ? { hint: `Share of ${view.classes[0] ?? 'negative'} cases correctly cleared.` } : {}),
          },
          { label: 'AUC', value: formatMetric(metrics.auc) },
          { label: 'Validation loss', value: formatMetric(metrics.loss) },
          ...(best
            ? [
                {
                  label: 'Best round',
                  value: best.round === latest.round ? `${roundLabel(best.round)} (this one)` : roundLabel(best.round),
                  hint: `Best so far by ${METRIC_NAMES[best.metric]}: exports and inference use this round's model by default.`,
                },
              ]
            : []),
          ...(metrics.operatingPoint
            ? [
                {
                  label: 'Decision threshold',
                  value: `${metrics.operatingPoint.threshold.toFixed(2)}: sensitivity ${formatPercent(metrics.operatingPoint.sensitivity)}, specificity ${formatPercent(metrics.operatingPoint.specificity)}`,
                  hint: `Chosen on this validation for the study (${view.classes[1] ?? 'class 1'} at or above it); at 0.5 the rates are the ones above.`,
                },
              ]
            : []),
        ]}
      />
    </div>
  );
}
