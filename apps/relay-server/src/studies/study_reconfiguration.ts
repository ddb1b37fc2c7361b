import { schedule as scheduleLib, type protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';

// Changing a running study's schedule or codec (the researcher's PATCH). The new
// configuration is stored and announced at once; a round in progress finishes with the one
// it started with (it holds its own copy), and the next round runs with the new one.

/** The schedule object for a name. Round-robin hands the latest client weights to its first client. */
export function createSchedule(name: string, latestClientWeights?: scheduleLib.SegmentWeights): scheduleLib.Schedule {
  return name === 'round-robin' ? new scheduleLib.RoundRobinSchedule(latestClientWeights) : scheduleLib.getSchedule(name);
}

/** The configuration with the change applied, or undefined when it changes nothing. */
export function applyConfigChange(config: protocol.StudyConfig, change: protocol.StudyConfigChange): protocol.StudyConfig | undefined {
  const next = { ...config, ...(change.schedule !== undefined ? { schedule: change.schedule } : {}), ...(change.codec !== undefined ? { codec: change.codec } : {}) };
  return next.schedule === config.schedule && next.codec === config.codec ? undefined : next;
}

/** What the audit line and the logs say about a change. */
export function describeConfigChange(before: protocol.StudyConfig, after: protocol.StudyConfig): Record<string, unknown> {
  return { from: { schedule: before.schedule, codec: before.codec }, to: { schedule: after.schedule, codec: after.codec } };
}

/**
 * The schedule for the next round when the researcher changed it. The latest client weights
 * carry over: round-robin hands them to its first client; SplitFed starts every client of
 * the round from them (after round-robin only the last trainer holds them), so no client's
 * progress is lost and the averages start from one model.
 */
export async function switchSchedule(
  name: string,
  latestClientWeights: scheduleLib.SegmentWeights | undefined,
  federation: scheduleLib.Federation,
  log: Logger,
): Promise<scheduleLib.Schedule> {
  const next = createSchedule(name, latestClientWeights);
  if (name !== 'round-robin' && latestClientWeights) {
    const sent = await Promise.allSettled(federation.clients.map((client) => federation.writeClientWeights(client.id, latestClientWeights)));
    sent.forEach((outcome, i) => {
      if (outcome.status === 'rejected') log.warn('could not hand the latest weights over on a schedule change', { participant: federation.clients[i]?.id, error: String(outcome.reason) });
    });
  }
  return next;
}
