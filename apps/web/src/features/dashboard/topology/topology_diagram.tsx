import type { ReactNode } from 'react';
import { formatBytes, formatShape } from '../../../lib/format';
import { formatInteger, formatPercent, formatSi } from '../dashboard_format';
import type { protocol, TopologyName } from '@splitlearn/split-core/pure';
import { describeTopology, type Crossing, type SegmentView } from './describe_topology';

// The study's split as boxes and arrows (HTML, not a chart): the hospitals on the left with
// their data and their layers, the relay on the right with its layers, and between them what
// crosses at every training step and, by schedule, once per round.

const TOPOLOGY_TITLES: Record<TopologyName, string> = { vanilla: 'Vanilla split', 'u-shaped': 'U-shaped split', vertical: 'Vertical split' };

function Segment({ segment }: { segment: SegmentView }): ReactNode {
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

function CrossingRow({ crossing }: { crossing: Crossing }): ReactNode {
  return (
    <li className={`topology-crossing topology-${crossing.direction}`}>
      <span className="topology-arrow" aria-hidden="true">
        {crossing.direction === 'up' ? '→' : '←'}
      </span>
      <span>
        <span className="visually-hidden">{crossing.direction === 'up' ? 'Hospital to relay: ' : 'Relay to hospital: '}</span>
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

export function TopologyDiagram({ config }: { config: protocol.StudyInfo['config'] }): ReactNode {
  const result = describeTopology(config);
  if (!result.ok) return <p className="hint">The split cannot be drawn for this configuration: {result.problem}</p>;
  const topology = result.description;
  return (
    <div className="topology">
      <p>
        <strong>{TOPOLOGY_TITLES[topology.topology]}</strong> of <code>{topology.model}</code>, codec <code>{topology.codec}</code>, schedule{' '}
        <code>{topology.schedule}</code>. {formatPercent(topology.clientFlopsShare, 0)} of each step’s compute runs at the hospitals.
      </p>
      <div className="topology-grid" role="group" aria-label="Who holds what">
        <section className="topology-party" aria-label="Each hospital">
          <h3>Each hospital (browser or Node client)</h3>
          <ul className="topology-holds">
            {topology.hospital.holds.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
          {topology.hospital.segments.map((segment) => (
            <Segment key={segment.role} segment={segment} />
          ))}
        </section>
        <section className="topology-links" aria-label="What crosses the network">
          <h3>Every training step</h3>
          <ol className="topology-crossings">
            {topology.perStep.map((crossing) => (
              <CrossingRow key={`${crossing.direction}-${crossing.what}`} crossing={crossing} />
            ))}
          </ol>
          {topology.perRound.length > 0 && (
            <>
              <h3>Once per round, per hospital</h3>
              <ol className="topology-crossings">
                {topology.perRound.map((crossing) => (
                  <CrossingRow key={`${crossing.direction}-${crossing.what}`} crossing={crossing} />
                ))}
              </ol>
            </>
          )}
        </section>
        <section className="topology-party" aria-label="The relay">
          <h3>The relay (study server)</h3>
          <ul className="topology-holds">
            {topology.relay.holds.map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
          {topology.relay.segments.map((segment) => (
            <Segment key={segment.role} segment={segment} />
          ))}
        </section>
      </div>
      <p className="hint">{topology.schedulePlain}</p>
      <p className="hint">Never leaves a hospital: {topology.neverLeaves.join('; ')}.</p>
    </div>
  );
}
