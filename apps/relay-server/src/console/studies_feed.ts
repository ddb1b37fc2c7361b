import type { Namespace } from 'socket.io';
import type { protocol } from '@splitlearn/split-core';
import { Throttle } from '../dashboard/throttle';
import type { StudyObserver } from '../studies/study_observer';
import type { StudyRegistry } from '../studies/study_registry';

// The researchers' console follows every study at once: after any change the whole list goes
// to the console namespace, at most once a second (a round or a join changes one row; a
// training step changes nothing the list shows, and an unchanged list is not sent again).
// Nothing is read while no console is open.

export type ConsoleNamespace = Namespace<protocol.ConsoleClientToServerEvents, protocol.ConsoleServerToClientEvents>;

/** The list goes out at most this often. */
export const STUDIES_INTERVAL_MS = 1000;

export class StudiesFeed implements StudyObserver {
  private readonly throttle: Throttle;
  private lastSent = '';

  constructor(
    private readonly namespace: ConsoleNamespace,
    private readonly registry: Pick<StudyRegistry, 'list'>,
    intervalMs = STUDIES_INTERVAL_MS,
  ) {
    this.throttle = new Throttle(intervalMs, () => this.broadcast());
  }

  /** The list as it is now, for a console that just connected. */
  snapshot(): protocol.ConsoleStudiesUpdate {
    return { studies: this.registry.list(), sentAt: Date.now() };
  }

  // StudyObserver

  studyChanged(): void {
    this.request();
  }

  roundRecorded(): void {
    this.request();
  }

  clientsChanged(): void {
    this.request();
  }

  close(): void {
    this.throttle.cancel();
  }

  private request(): void {
    if (this.namespace.sockets.size > 0) this.throttle.request();
  }

  private broadcast(): void {
    if (this.namespace.sockets.size === 0) return;
    const update = this.snapshot();
    const serialized = JSON.stringify(update.studies);
    if (serialized === this.lastSent) return;
    this.lastSent = serialized;
    this.namespace.emit('console:studies', update);
  }
}
