import { protocol, study as studyLib } from '@splitlearn/split-core';

// Changing a running study's schedule or codec (the researcher's PATCH). The new
// configuration is stored and announced at once; a round in progress finishes with the one
// it started with (it holds its own copy), and the next round runs with the new one.

/** The configuration with the change applied, or undefined when it changes nothing. */
export function applyConfigChange(config: protocol.StudyConfig, change: protocol.StudyConfigChange): protocol.StudyConfig | undefined {
  const next = { ...config, ...(change.schedule !== undefined ? { schedule: change.schedule } : {}), ...(change.codec !== undefined ? { codec: change.codec } : {}) };
  if (next.schedule === config.schedule && next.codec === config.codec) return undefined;
  const method = studyLib.studyMethod(config);
  if (change.schedule !== undefined && !method.serverSegment) throw new Error(`this study trains by ${method.title.toLowerCase()}, which runs its own rounds: it has no schedule to change`);
  // The changed study must still be one the relay would create (a multi-hop chain stays round-robin).
  const checked = protocol.StudyConfigSchema.safeParse(next);
  if (!checked.success) throw new Error(checked.error.issues.map((issue) => issue.message).join('; '));
  return checked.data;
}

/** What the audit line and the logs say about a change. */
export function describeConfigChange(before: protocol.StudyConfig, after: protocol.StudyConfig): Record<string, unknown> {
  return { from: { schedule: before.schedule, codec: before.codec }, to: { schedule: after.schedule, codec: after.codec } };
}
