import type { ReactNode } from 'react';
import { formatBytes, formatShape } from '../../../lib/format';
import { formatInteger, formatSi } from '../dashboard_format';
import type { Crossing, SegmentView } from './topology_description';

// The pieces both layouts of the topology diagram are made of: a segment with its layers,
// one wire crossing, a list of what a side holds.

export function Segment({ segment }: { segment: SegmentView }): ReactNode {
  return (
    <div className={`topology-segment topology-${segment.role}`}>
      <p className="topology-segment-title">{segment.title}</p>
      <ol className="topology-layers">
        {segment.layers.map((layer) => (
          <li key={layer}>{layer}</li>
        ))}
      </ol>
      <p className="hint">
        {formatShape(segment.inputShape)} → {formatShape(segment.outputShape)} · {formatInteger(segment.params)} parameters · {formatSi(segment.flopsPerSample, 'FLOPs')} per sample (forward +
        backward)
      </p>
    </div>
  );
}

/** Where the relay is drawn from the client's box: the arrows point at it (up) or away from it (down). */
export type RelaySide = 'right' | 'below';

const ARROWS: Record<RelaySide, Record<Crossing['direction'], string>> = {
  right: { up: '→', down: '←' },
  below: { up: '↓', down: '↑' },
};

/** `client`: what a screen reader calls the sending side, e.g. "Hospital". */
export function CrossingRow({ crossing, relaySide, client }: { crossing: Crossing; relaySide: RelaySide; client: string }): ReactNode {
  return (
    <li className={`topology-crossing topology-${crossing.direction}`}>
      <span className="topology-arrow" aria-hidden="true">
        {ARROWS[relaySide][crossing.direction]}
      </span>
      <span>
        <span className="visually-hidden">{crossing.direction === 'up' ? `${client} to relay: ` : `Relay to ${client.toLowerCase()}: `}</span>
        {crossing.what}
        <span className="hint">
          {' '}
          {crossing.shape ? `${formatShape(crossing.shape)}, ` : ''}
          {crossing.encoding}, {crossing.shape ? '' : '≈ '}
          {formatBytes(crossing.bytes)}
        </span>
      </span>
    </li>
  );
}

export function CrossingList({ crossings, relaySide, client }: { crossings: readonly Crossing[]; relaySide: RelaySide; client: string }): ReactNode {
  return (
    <ol className="topology-crossings">
      {crossings.map((crossing) => (
        <CrossingRow key={`${crossing.direction}-${crossing.what}`} crossing={crossing} relaySide={relaySide} client={client} />
      ))}
    </ol>
  );
}

export function HoldsList({ items }: { items: readonly string[] }): ReactNode {
  return (
    <ul className="topology-holds">
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}
