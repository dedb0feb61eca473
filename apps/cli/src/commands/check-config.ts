import { parseDatabaseUrl } from '@numbroker/store';
import { COMMON_HELP, configOf, type Command } from '../command.js';

export const checkConfigCommand: Command = {
  words: ['check-config'],
  summary: 'validate the config (and the environment overrides) without starting anything',
  help: `usage: numbroker check-config [--config PATH]

Reads the config exactly as the server and the worker do (the file, DATABASE_URL, PORT,
NUMBROKER_ADMIN_KEY, LOG_LEVEL, each provider's apiKeyEnv/apiKeyFile), prints a summary with
no secret in it, and exits 0; or prints the first problem, naming the key, and exits 2.

${COMMON_HELP}`,
  options: {},
  async run(values, io) {
    const config = configOf(values, io);
    const database = parseDatabaseUrl(config.database);
    io.out('config OK');
    io.out(
      `  database: ${database.kind}${database.kind === 'sqlite' ? ` (${database.location})` : ''}`,
    );
    io.out(
      `  server: ${config.host}:${config.port}, admin key ${config.adminApiKey ? 'set' : 'not set'}`,
    );
    io.out(
      `  worker probes: ${config.workerPort === null ? 'off' : `${config.workerHost}:${config.workerPort}`}`,
    );
    io.out(
      `  metrics: ${config.metrics.port !== undefined ? `separate port ${config.metrics.host}:${config.metrics.port}` : 'on the server port'}, token ${config.metrics.token ? 'required' : 'not required'}`,
    );
    io.out(
      `  currency ${config.currency}, autoMigrate ${config.autoMigrate}, log level ${config.logLevel}`,
    );
    io.out(
      `  retention: ${config.retention.days === 0 ? 'off' : `${config.retention.days} days, pruned every ${config.retention.everyMinutes} min`}`,
    );
    io.out(`  providers (${config.providers.length}):`);
    for (const provider of config.providers) {
      const source = provider.apiKeyEnv
        ? `key from $${provider.apiKeyEnv}`
        : provider.apiKeyFile
          ? `key from ${provider.apiKeyFile}`
          : 'key inline';
      io.out(
        `    ${provider.id}: ${provider.kind} at ${new URL(provider.baseUrl).origin}, ${source}`,
      );
    }
  },
};
