import type { Link } from '../topology/link';
import { routedLink } from '../topology/routed_link';
import { WiringError, type GroupWiring } from '../topology/wiring';

/**
 * The server's links for a group's steps, in the order its topology reads them, from the
 * group's wiring: one per member feeding the server, in member order. Where the label holder
 * feeds another member (multi-hop, extended vanilla) its labels come over its own line to
 * the server, merged into the first link, from which the server's steps take the labels.
 * `linkOf(member)` is the server's end of that member's line. In process and over the
 * network alike.
 */
export function serverLinksOf(wiring: GroupWiring, holdsLabels: (member: number) => boolean, linkOf: (member: number) => Link): Link[] {
  const feeding = wiring.stages.flatMap((stage, member) => (stage.feeds === 'server' ? [linkOf(member)] : []));
  const holder = wiring.stages.findIndex((stage, member) => stage.kind === 'data' && stage.feeds !== 'server' && holdsLabels(member));
  if (holder < 0) return feeding;
  const [first, ...rest] = feeding;
  if (!first) throw new WiringError('no member feeds the server');
  return [routedLink({ activations: first, gradients: first, labels: linkOf(holder) }), ...rest];
}

/** The members with a line to the server: those feeding it, and a label holder that does not. */
export function membersTalkingToServer(wiring: GroupWiring, holdsLabels: (member: number) => boolean): number[] {
  return wiring.stages.flatMap((stage, member) => (stage.feeds === 'server' || (stage.kind === 'data' && holdsLabels(member)) ? [member] : []));
}
