import { z } from 'zod';
import { STUDY_STATES, type StudyState } from '../study/config';

// What the relay streams to a researcher's console (/studies): the list of studies, whole,
// on connecting and whenever one changes (created, started, a round done, a participant came
// or went, a join code re-issued). The list carries join codes, so the namespace admits only
// a socket that presents the researcher token (`auth: { token }`); a wrong or missing token
// is refused in the connection itself, with what to do.

export const CONSOLE_NAMESPACE = '/console';

const count = z.number().int().nonnegative();

/** A study as the console lists it (the relay's REST list has the same shape). */
export const ConsoleStudySchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().max(200),
  state: z.enum(STUDY_STATES as [StudyState, ...StudyState[]]),
  round: count,
  rounds: count,
  joinCode: z.string().max(64),
  participants: count,
  createdAt: z.number(),
  // The whole configuration comes along; the console reads its topology, schedule and method
  // and parses the rest with the study schema where it needs it (duplicate).
  config: z.looseObject({ topology: z.string(), schedule: z.string(), method: z.string().optional() }),
  notice: z.string().max(2000).optional(),
});
export type ConsoleStudy = z.infer<typeof ConsoleStudySchema>;

export const ConsoleStudiesUpdateSchema = z.object({ studies: z.array(ConsoleStudySchema).max(100_000), sentAt: z.number() });
export type ConsoleStudiesUpdate = z.infer<typeof ConsoleStudiesUpdateSchema>;

/** The console only listens. */
export type ConsoleClientToServerEvents = Record<never, never>;

export interface ConsoleServerToClientEvents {
  /** Every study of the relay: on connecting, then after each change (a few per second at most). */
  'console:studies': (update: ConsoleStudiesUpdate) => void;
}

/**
 * Why the relay refused a console connection (the error's `data`): `token` when the token was
 * wrong or missing (sign in again), `rate` when the address made too many wrong guesses (wait).
 */
export const ConsoleRefusalSchema = z.object({ reason: z.enum(['token', 'rate']) });
export type ConsoleRefusal = z.infer<typeof ConsoleRefusalSchema>;
