import type { Namespace } from 'socket.io';
import type { protocol } from '@splitlearn/split-core';
import type { MetricsRepository } from '../storage/metrics';
import type { ParticipantRepository } from '../storage/participants';
import { totalsFromRecords } from '../studies/client_ledger';
import type { StudyObserver } from '../studies/study_observer';
import type { StudyRegistry } from '../studies/study_registry';
import { dashboardClients } from './dashboard_clients';
import { toDashboardRounds } from './dashboard_rounds';
import { Throttle } from './throttle';

// What viewers of a study see: the snapshot on watch (from SQLite and the running study), then
// live events to the study's room in the viewers' namespace. Nothing is computed for a study
// nobody watches.

export type DashboardNamespace = Namespace<protocol.DashboardClientToServerEvents, protocol.DashboardServerToClientEvents>;

/** The clients table goes out at most this often per study (about 4 per second). */
export const CLIENTS_INTERVAL_MS = 250;

export interface DashboardSources {
  registry: StudyRegistry;
  metrics: MetricsRepository;
  participants: ParticipantRepository;
}

export function dashboardRoom(studyId: string): string {
  return `dashboard:${studyId}`;
}

export class DashboardFeed implements StudyObserver {
  private readonly clientThrottles = new Map<string, Throttle>();
  /** The study info last sent to each room, so that only real changes go out. */
  private readonly lastStudy = new Map<string, string>();

  constructor(
    private readonly namespace: DashboardNamespace,
    private readonly sources: DashboardSources,
    private readonly clientsIntervalMs = CLIENTS_INTERVAL_MS,
  ) {}

  /** The whole history and the present; undefined for an unknown study. */
  snapshot(studyId: string): protocol.DashboardSnapshot | undefined {
    const study = this.sources.registry.studyInfo(studyId);
    if (!study) return undefined;
    this.lastStudy.set(studyId, JSON.stringify(study));
    return { study, rounds: this.rounds(studyId), clients: this.clients(studyId), sentAt: Date.now() };
  }

  rounds(studyId: string): protocol.DashboardRound[] {
    return toDashboardRounds(this.sources.metrics.list(studyId));
  }

  clients(studyId: string): protocol.DashboardClient[] {
    const stored = this.sources.participants.listByStudy(studyId);
    const live = this.sources.registry.get(studyId);
    const storedTotals = live ? new Map() : totalsFromRecords(this.sources.metrics.list(studyId));
    return dashboardClients(stored, live, storedTotals);
  }

  // StudyObserver

  studyChanged(studyId: string): void {
    if (!this.watched(studyId)) return;
    const study = this.sources.registry.studyInfo(studyId);
    if (!study) return;
    const serialized = JSON.stringify(study);
    if (this.lastStudy.get(studyId) === serialized) return;
    this.lastStudy.set(studyId, serialized);
    this.namespace.to(dashboardRoom(studyId)).emit('dashboard:study', { study, sentAt: Date.now() });
  }

  roundRecorded(studyId: string, round: number): void {
    if (!this.watched(studyId)) return;
    const finished = toDashboardRounds(this.sources.metrics.list(studyId, { fromRound: round }).filter((record) => record.round === round))[0];
    if (finished) this.namespace.to(dashboardRoom(studyId)).emit('dashboard:round', { round: finished, sentAt: Date.now() });
    // The round settled every participant's bytes: the table shows them at once.
    this.clientsChanged(studyId);
  }

  clientsChanged(studyId: string): void {
    if (!this.watched(studyId)) return;
    let throttle = this.clientThrottles.get(studyId);
    if (!throttle) {
      throttle = new Throttle(this.clientsIntervalMs, () => {
        if (this.watched(studyId)) this.namespace.to(dashboardRoom(studyId)).emit('dashboard:clients', { clients: this.clients(studyId), sentAt: Date.now() });
      });
      this.clientThrottles.set(studyId, throttle);
    }
    throttle.request();
  }

  close(): void {
    for (const throttle of this.clientThrottles.values()) throttle.cancel();
    this.clientThrottles.clear();
  }

  private watched(studyId: string): boolean {
    return (this.namespace.adapter.rooms.get(dashboardRoom(studyId))?.size ?? 0) > 0;
  }
}
