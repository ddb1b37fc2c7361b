// `npm start`: the relay serving the web app, with SQLite in a local data folder and a
// ready demo study on the generated dataset.
import path from 'node:path';
import { ensureResearcherToken, resetResearcherToken } from './auth/researcher_token';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { startRelay } from './server';
import { closeDatabase, openDatabase } from './storage/database';
import { DEMO_STUDY } from './studies/demo_studies';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env, repoRoot);
  const log = createLogger('relay', config.logLevel);
  log.info('configuration', { ...config });
  const db = openDatabase(config.dataDir);
  const token = config.resetResearcherToken ? { created: true as const, token: resetResearcherToken(db) } : ensureResearcherToken(db);
  if (token.created) {
    process.stdout.write(
      `\nResearcher token (shown once; stored only as a hash in ${config.dataDir}):\n\n    ${token.token}\n\n` +
        'Keep it: it creates and controls studies. Lost it? Restart with --reset-researcher-token.\n\n',
    );
  }
  // A failure inside one study must not take the relay (and every other study) down.
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { reason: reason instanceof Error ? reason.stack : String(reason) }));
  const relay = await startRelay(config, db, log);
  if (config.demo && relay.registry.list().length === 0) {
    const demo = relay.registry.create(DEMO_STUDY, 'training');
    log.info('demo study created', { study: demo.id, joinCode: demo.joinCode });
  }
  for (const study of relay.registry.list()) {
    if (study.state !== 'finished') log.info('study ready', { study: study.id, name: study.name, state: study.state, joinCode: study.joinCode });
  }
  process.stdout.write(`Relay listening on http://localhost:${relay.port}\n`);

  const stop = (signal: string): void => {
    log.info('shutting down', { signal });
    void relay
      .close()
      .then(() => closeDatabase(db))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
