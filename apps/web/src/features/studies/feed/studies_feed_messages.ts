import { z } from 'zod';
import { protocol } from '@splitlearn/split-core/pure';

// The contract between the researcher's console and its feed worker, which owns the '/console'
// socket (the page's main thread loads no socket.io: main_thread_imports.test.ts). The page
// parses what the worker posts like anything else that arrives (STYLE.md §10).

export const StudiesFeedToPageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connection'), status: z.enum(['connecting', 'live', 'reconnecting']), detail: z.string().optional() }),
  /** Every study of the relay, whole (after each change). */
  z.object({ type: z.literal('studies'), studies: z.array(protocol.ConsoleStudySchema), sentAt: z.number() }),
  /** The relay refused the connection (`token`: the token itself was wrong or missing); retrying will not help. */
  z.object({ type: z.literal('refused'), message: z.string(), token: z.boolean() }),
  /** A relay message that failed its schema: shown, never silently dropped. */
  z.object({ type: z.literal('bad-message'), detail: z.string() }),
]);
export type StudiesFeedToPage = z.infer<typeof StudiesFeedToPageSchema>;

export const PageToStudiesFeedSchema = z.object({ type: z.literal('follow'), token: z.string().min(1).max(256), origin: z.string().min(1).max(2048) });
export type PageToStudiesFeed = z.infer<typeof PageToStudiesFeedSchema>;
