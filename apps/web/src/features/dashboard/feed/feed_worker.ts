import { io, type Socket } from 'socket.io-client';
import { protocol } from '@splitlearn/split-core/pure';
import { describeIssues } from '../../../lib/describe_issues';
import { PageToFeedSchema, type FeedToPage } from './feed_messages';
import { latestEvaluation, toRoundRows, type LatestEvaluation } from './round_row';

// The dashboard's socket lives in this worker, off the page's main thread: a late viewer's
// snapshot can hold ten thousand rounds with a hundred clients each (tens of MB of JSON),
// and parsing, validating and folding it here keeps the page drawing. Only flat rows cross
// to the page. On every (re)connection the worker watches again and the page merges the
// fresh snapshot by round, so a dropped connection loses nothing.

type DashboardSocket = Socket<protocol.DashboardServerToClientEvents, protocol.DashboardClientToServerEvents>;

interface WorkerScope {
  postMessage(message: FeedToPage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const WATCH_TIMEOUT_MS = 60_000;

function post(message: FeedToPage): void {
  scope.postMessage(message);
}

let socket: DashboardSocket | undefined;
/** Participants seen in any round, to decide whether per-client lines stay drawable. */
const seenClients = new Set<string>();
let latest: LatestEvaluation | null = null;

function watch(studyId: string, origin: string): void {
  socket?.close();
  const connection: DashboardSocket = io(`${origin}${protocol.DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnectionDelayMax: 10_000 });
  socket = connection;
  post({ type: 'connection', status: 'connecting' });

  connection.on('connect', () => {
    connection.timeout(WATCH_TIMEOUT_MS).emit('dashboard:watch', { studyId }, (timeout: Error | null, reply: unknown) => {
      if (timeout) {
        post({ type: 'connection', status: 'reconnecting', detail: `the relay did not answer within ${WATCH_TIMEOUT_MS / 1000} s` });
        connection.disconnect().connect();
        return;
      }
      const parsed = protocol.DashboardWatchReplySchema.safeParse(reply);
      if (!parsed.success) {
        post({ type: 'bad-message', event: 'dashboard:watch reply', detail: describeIssues(parsed.error) });
        return;
      }
      if (!parsed.data.ok) {
        post({ type: 'refused', error: parsed.data.error });
        connection.close();
        return;
      }
      const { study, rounds, clients, sentAt } = parsed.data.snapshot;
      latest = latestEvaluation(rounds, latest);
      post({ type: 'snapshot', study, rows: toRoundRows(rounds, seenClients), latest, clients, sentAt });
      post({ type: 'connection', status: 'live' });
    });
  });
  connection.on('disconnect', (reason) => {
    // 'io client disconnect' is this worker closing the socket on purpose.
    if (reason !== 'io client disconnect') post({ type: 'connection', status: 'reconnecting', detail: reason });
  });
  connection.on('connect_error', (error) => post({ type: 'connection', status: 'reconnecting', detail: error.message }));

  connection.on('dashboard:round', (update: unknown) => {
    const parsed = protocol.DashboardRoundUpdateSchema.safeParse(update);
    if (!parsed.success) {
      post({ type: 'bad-message', event: 'dashboard:round', detail: describeIssues(parsed.error) });
      return;
    }
    const { round, sentAt } = parsed.data;
    latest = latestEvaluation([round], latest);
    const [row] = toRoundRows([round], seenClients);
    if (row) post({ type: 'round', row, latest, sentAt });
  });
  connection.on('dashboard:study', (update: unknown) => {
    const parsed = protocol.DashboardStudyUpdateSchema.safeParse(update);
    if (parsed.success) post({ type: 'study', study: parsed.data.study, sentAt: parsed.data.sentAt });
    else post({ type: 'bad-message', event: 'dashboard:study', detail: describeIssues(parsed.error) });
  });
  connection.on('dashboard:error', (error: unknown) => {
    const parsed = protocol.DashboardErrorSchema.safeParse(error);
    post({ type: 'bad-message', event: 'request (the relay refused it)', detail: parsed.success ? `${parsed.data.code}: ${parsed.data.message}` : 'the relay reported an error without details' });
  });
  connection.on('dashboard:clients', (update: unknown) => {
    const parsed = protocol.DashboardClientsUpdateSchema.safeParse(update);
    if (parsed.success) post({ type: 'clients', clients: parsed.data.clients, sentAt: parsed.data.sentAt });
    else post({ type: 'bad-message', event: 'dashboard:clients', detail: describeIssues(parsed.error) });
  });
}

scope.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = PageToFeedSchema.safeParse(event.data);
  if (!parsed.success) {
    post({ type: 'bad-message', event: 'page message', detail: describeIssues(parsed.error) });
    return;
  }
  watch(parsed.data.studyId, parsed.data.origin);
});
