import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { protocol } from '@splitlearn/split-core';
import type { RelayConfig } from './config';
import { attachDashboard } from './dashboard/dashboard_namespace';
import { handleApi } from './http/api';
import { sendJson } from './http/json';
import { serveStatic } from './http/static_files';
import type { Logger } from './logger';
import { attachParticipantHandlers } from './socket/participant_handlers';
import { WireLog } from './socket/wire_log';
import type { RelayServer } from './socket/types';
import { DemoBooth } from './studies/demo_studies';
import { StudyRegistry } from './studies/study_registry';
import { verifyResearcherToken } from './auth/researcher_token';
import { AuditLog } from './storage/audit';
import { CheckpointStore } from './storage/checkpoints';
import { ServerLabelRepository } from './storage/server_labels';
import type { Database } from './storage/database';
import { MetricsRepository } from './storage/metrics';
import { ParticipantRepository } from './storage/participants';
import { StudyRepository } from './storage/studies';

// Assembles the relay: HTTP (web app, REST API), socket.io (participants), storage, studies.

export interface Relay {
  http: HttpServer;
  io: RelayServer;
  registry: StudyRegistry;
  port: number;
  close(): Promise<void>;
}

export async function startRelay(config: RelayConfig, db: Database, log: Logger): Promise<Relay> {
  // Keep idle HTTP connections longer than clients do. Node's default (5 s) is barely above
  // undici's (fetch's) own idle timeout, so on a busy machine a client could reuse a
  // connection the relay had just closed, and a request would fail with 'fetch failed'
  // (seen in a loaded test run). Clients time idle connections out first from the hint this sends.
  const http = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 });
  const io: RelayServer = new Server(http, {
    pingInterval: config.pingIntervalMs,
    pingTimeout: config.pingTimeoutMs,
    // socket.io's 1 MB default is too small for many cut tensors (64x14x14x32 floats is
    // 1.6 MB). The websocket transport reads this once, at start-up.
    maxHttpBufferSize: config.maxMessageMb * 1024 * 1024,
    serveClient: false,
  });
  const wireLog = config.wireLog ? new WireLog(config.wireLog) : undefined;
  const registry = new StudyRegistry({
    io,
    ...(wireLog ? { wireLog } : {}),
    studies: new StudyRepository(db, protocol.StudyConfigSchema),
    participants: new ParticipantRepository(db),
    metrics: new MetricsRepository(db),
    audit: new AuditLog(db),
    checkpoints: new CheckpointStore(config.dataDir),
    serverLabels: new ServerLabelRepository(db),
    log: log.child('studies'),
    timeouts: { ackMs: config.ackTimeoutMs, receiveMs: config.stepTimeoutMs },
    // The transport limit sits above every study's own limit, so that an oversized frame
    // reaches the handler and gets a 'too-large' error; only a message beyond the transport
    // limit is cut off by socket.io with the connection.
    maxMessageBytes: config.maxMessageMb * 1024 * 1024,
  });
  await registry.restore();
  const dashboard = attachDashboard(io, { registry, metrics: new MetricsRepository(db), participants: new ParticipantRepository(db) }, log.child('dashboard'));
  const demo = config.demo ? new DemoBooth(registry, db, log.child('demo')) : undefined;

  const socketLog = log.child('socket');
  io.on('connection', (socket) => {
    wireLog?.attach(socket);
    attachParticipantHandlers(socket, registry, socketLog);
  });

  const httpLog = log.child('http');
  http.on('request', (request, response) => {
    void (async () => {
      try {
        if (await handleApi(request, response, { registry, verifyResearcher: (token) => verifyResearcherToken(db, token), dashboard, demo })) return;
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          sendJson(response, 405, { error: `${request.method ?? ''} is not allowed here` });
          return;
        }
        await serveStatic(request, response, config.webDir);
      } catch (error) {
        httpLog.error('request failed', { url: request.url, error: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.end();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    http,
    io,
    registry,
    port,
    close: async () => {
      dashboard.close();
      await registry.shutdown();
      await io.close();
      http.closeAllConnections();
    },
  };
}
