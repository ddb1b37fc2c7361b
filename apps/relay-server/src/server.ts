import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { protocol } from '@splitlearn/split-core';
import type { RelayConfig } from './config';
import { attachConsole } from './console/console_namespace';
import { attachDashboard } from './dashboard/dashboard_namespace';
import { createHttpApp, registerHttpRoutes } from './http/app';
import type { Logger } from './logger';
import { Admission, PRE_JOIN_MESSAGE_BYTES } from './socket/admission';
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
  // Fastify's server carries the REST API and the web app; socket.io shares it (and the port).
  const app = createHttpApp(log, { trustProxy: config.trustProxy });
  const admission = new Admission(
    {
      helloTimeoutMs: config.helloTimeoutMs,
      preJoinMessageBytes: PRE_JOIN_MESSAGE_BYTES,
      joinedMessageBytes: config.maxMessageMb * 1024 * 1024,
      // Attachments follow their header at once; a peer holding them back is no better than one that stops sending a step's frames.
      attachmentTimeoutMs: config.stepTimeoutMs,
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      maxHellosPerMinute: config.maxHellosPerMinute,
      allowedOrigins: config.allowedOrigins,
      trustProxy: config.trustProxy,
    },
    log.child('admission'),
  );
  const io: RelayServer = new Server(app.server, {
    pingInterval: config.pingIntervalMs,
    pingTimeout: config.pingTimeoutMs,
    // socket.io's 1 MB default is too small for many cut tensors (64x14x14x32 floats is
    // 1.6 MB). The websocket transport reads this once, at start-up; a connection gets it
    // only once a participant has joined on it (socket/connection_guard.ts).
    maxHttpBufferSize: config.maxMessageMb * 1024 * 1024,
    // Every client (browser worker, Node client) speaks WebSocket only; long-polling would be
    // a second path in, with its own buffers, that the connection guard does not see.
    transports: ['websocket'],
    allowRequest: admission.allowRequest,
    // A connection that opens no namespace at all is closed as soon as a silent participant would be.
    connectTimeout: config.helloTimeoutMs,
    serveClient: false,
  });
  admission.attach(io);
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
  const verifyResearcher = (token: string | undefined): Promise<boolean> => verifyResearcherToken(db, token);
  const studiesFeed = attachConsole(io, registry, verifyResearcher, { trustProxy: config.trustProxy }, log.child('console'));
  const booth = config.boothDemo ? new DemoBooth(registry, db, log.child('demo')) : undefined;

  const socketLog = log.child('socket');
  io.on('connection', (socket) => {
    wireLog?.attach(socket);
    attachParticipantHandlers(socket, registry, socketLog, admission, { maxParticipantsPerStudy: config.maxParticipantsPerStudy });
  });

  await registerHttpRoutes(app, { registry, verifyResearcher, dashboard, booth, webDir: config.webDir });
  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  return {
    http: app.server,
    io,
    registry,
    port,
    close: async () => {
      dashboard.close();
      studiesFeed.close();
      await registry.shutdown();
      // socket.io first, so participants hear 'server shutting down'; then Fastify closes
      // the server and its remaining connections.
      await io.close();
      await app.close();
    },
  };
}
