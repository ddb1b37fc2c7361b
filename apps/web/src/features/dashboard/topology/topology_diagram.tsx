import type { ReactNode } from 'react';
import { formatPercent } from '../dashboard_format';
import { getTopologyDescriptor, privacyDisclosure, type protocol } from '@splitlearn/split-core/pure';
import { describeTopology } from './describe_topology';
import type { AlignmentView, ParticipantView, TopologyDescription } from './topology_description';
import { CrossingList, HoldsList, Segment } from './topology_parts';

// The study's split as boxes and arrows (HTML, not a chart). Where every hospital holds the
// same segments (one participant column): the hospitals on the left, the relay on the right,
// and between them what crosses at every step and, by schedule, once per round. Where the
// clients are distinct parties (vertical): their boxes side by side, each with its own
// crossings, feeding the one relay box below.

function AlikeClients({ topology }: { topology: TopologyDescription }): ReactNode {
  const [hospital] = topology.participants;
  if (!hospital) return null;
  return (
    <div className="topology-grid" role="group" aria-label="Who holds what">
      <section className="topology-party" aria-label="Each hospital">
        <h3>{hospital.title}</h3>
        <HoldsList items={hospital.holds} />
        {hospital.segments.map((segment) => (
          <Segment key={segment.role} segment={segment} />
        ))}
      </section>
      <section className="topology-links" aria-label="What crosses the network">
        <h3>Every training step</h3>
        <CrossingList crossings={hospital.perStep} relaySide="right" client="Hospital" />
        {hospital.perRound.length > 0 && (
          <>
            <h3>Once per round, per hospital</h3>
            <CrossingList crossings={hospital.perRound} relaySide="right" client="Hospital" />
          </>
        )}
      </section>
      <Relay topology={topology} />
    </div>
  );
}

function Relay({ topology }: { topology: TopologyDescription }): ReactNode {
  return (
    <section className="topology-party" aria-label="The relay">
      <h3>The relay (study server)</h3>
      <HoldsList items={topology.relay.holds} />
      {topology.relay.segments.map((segment) => (
        <Segment key={segment.title} segment={segment} />
      ))}
    </section>
  );
}

function PartyBox({ party }: { party: ParticipantView }): ReactNode {
  return (
    <section className={`topology-party${party.holdsLabels ? ' topology-label-holder' : ''}`} aria-label={party.title}>
      <h3>{party.title}</h3>
      {party.holdsLabels && <p className="topology-label-badge">Holds the labels</p>}
      <HoldsList items={party.holds} />
      {party.segments.map((segment) => (
        <Segment key={segment.title} segment={segment} />
      ))}
      <h4>Every training step</h4>
      <CrossingList crossings={party.perStep} relaySide="below" client="Party" />
      {party.perRound.length > 0 && (
        <>
          <h4>Once per round</h4>
          <CrossingList crossings={party.perRound} relaySide="below" client="Party" />
        </>
      )}
      <h4>Never leaves it</h4>
      <HoldsList items={party.neverLeaves} />
    </section>
  );
}

function Alignment({ alignment }: { alignment: AlignmentView }): ReactNode {
  return (
    <p className="topology-alignment">
      <strong>Lining up the rows.</strong> {alignment.plain} {alignment.relayLearns}
    </p>
  );
}

function Parties({ topology }: { topology: TopologyDescription }): ReactNode {
  return (
    <div className="topology-stack" role="group" aria-label="Who holds what">
      <div className="topology-parties">
        {topology.participants.map((party) => (
          <PartyBox key={party.title} party={party} />
        ))}
      </div>
      {topology.alignment && <Alignment alignment={topology.alignment} />}
      <p className="topology-feed" aria-hidden="true">
        ↓ {topology.method ? topology.method.feed : `${topology.participants.length} cut outputs`} ↓
      </p>
      <Relay topology={topology} />
    </div>
  );
}

export function TopologyDiagram({ config }: { config: protocol.StudyInfo['config'] }): ReactNode {
  const result = describeTopology(config);
  if (!result.ok) return <p className="hint">The split cannot be drawn for this configuration: {result.problem}</p>;
  const topology = result.description;
  // One column: every hospital alike, drawn once. Several: distinct parties, each drawn.
  const distinctParties = topology.participants.length > 1;
  const clients = distinctParties ? 'parties' : 'hospitals';
  return (
    <div className="topology">
      <p>
        <strong>{topology.method?.title ?? getTopologyDescriptor(topology.topology).title}</strong> of <code>{topology.model}</code>, codec <code>{topology.codec}</code>, {topology.method ? 'method' : 'schedule'}{' '}
        <code>{topology.schedule}</code>. {formatPercent(topology.clientFlopsShare, 0)} of each step’s compute runs at the {clients}.
      </p>
      {distinctParties ? <Parties topology={topology} /> : <AlikeClients topology={topology} />}
      <p className="hint">{topology.schedulePlain}</p>
      <p className="hint">
        Never leaves {distinctParties ? 'any party' : 'a hospital'}: {topology.neverLeaves.join('; ')}.
      </p>
      <h3>Privacy settings</h3>
      <ul aria-label="Privacy settings">
        {privacyDisclosure(config).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
