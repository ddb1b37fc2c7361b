import type { Link, WireKind } from './link';
import { ProtocolError } from './link';

/**
 * One end of a step whose wire kinds travel to different roles: in multi-hop and extended
 * vanilla a data holder's activations go to the next hop while its labels go straight to
 * the role computing the loss, so no hop ever holds them; the server, in turn, takes
 * activations from the last hop and labels from the label holder. A step written against
 * one `Link` (vanilla's) runs unchanged on such an end. Over the network every frame passes
 * the relay anyway, which routes it by the same kinds.
 */
export function routedLink(routes: Partial<Record<WireKind, Link>>): Link {
  const route = (kind: WireKind, verb: string): Link => {
    const link = routes[kind];
    if (!link) throw new ProtocolError(`this end ${verb} no ${kind} in this topology`);
    return link;
  };
  const links = [...new Set(Object.values(routes))];
  return {
    send: (kind, tensor) => route(kind, 'sends').send(kind, tensor),
    receive: (kind) => route(kind, 'receives').receive(kind),
    nextStep: () => links.forEach((link) => link.nextStep()),
  };
}
