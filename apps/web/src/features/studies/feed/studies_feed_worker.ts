import { io, type Socket } from 'socket.io-client';
import { protocol } from '@splitlearn/split-core/pure';
import { describeIssues } from '../../../lib/describe_issues';
import { PageToStudiesFeedSchema, type StudiesFeedToPage } from './studies_feed_messages';

// The console's socket lives in this worker: the page's main thread loads no socket.io. It
// follows the relay's '/console' namespace with the researcher token and posts each list of
// studies to the page; a lost connection is retried by socket.io, and every reconnection
// brings the whole list again, so nothing is missed.

type ConsoleSocket = Socket<protocol.ConsoleServerToClientEvents, protocol.ConsoleClientToServerEvents>;

interface WorkerScope {
  postMessage(message: StudiesFeedToPage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let socket: ConsoleSocket | undefined;

function post(message: StudiesFeedToPage): void {
  scope.postMessage(message);
}

function follow(token: string, origin: string): void {
  socket?.close();
  const connection: ConsoleSocket = io(`${origin}${protocol.CONSOLE_NAMESPACE}`, { transports: ['websocket'], auth: { token }, reconnectionDelayMax: 10_000 });
  socket = connection;
  post({ type: 'connection', status: 'connecting' });
  connection.on('connect', () => post({ type: 'connection', status: 'live' }));
  connection.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') post({ type: 'connection', status: 'reconnecting', detail: reason });
  });
  connection.on('connect_error', (error: Error & { data?: unknown }) => {
    // socket.io retries a connection that failed on the way; a refusal by the relay itself
    // (a wrong token, too many of them) is final.
    if (connection.active) {
      post({ type: 'connection', status: 'reconnecting', detail: error.message });
      return;
    }
    const data = protocol.ConsoleRefusalSchema.safeParse(error.data);
    post({ type: 'refused', message: error.message, token: data.success && data.data.reason === 'token' });
  });
  connection.on('console:studies', (update: unknown) => {
    const parsed = protocol.ConsoleStudiesUpdateSchema.safeParse(update);
    if (parsed.success) post({ type: 'studies', studies: parsed.data.studies, sentAt: parsed.data.sentAt });
    else post({ type: 'bad-message', detail: describeIssues(parsed.error) });
  });
}

scope.addEventListener('message', (event) => {
  const parsed = PageToStudiesFeedSchema.safeParse(event.data);
  if (parsed.success) follow(parsed.data.token, parsed.data.origin);
});
