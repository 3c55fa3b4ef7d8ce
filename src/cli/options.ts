/** Shared option groups (after node-pg-migrate's addConnectionOptions). */
import { Option, type Command } from 'commander';

/**
 * The default --timeout, in seconds, of the commands that wait: the help shows it, and the commands
 * apply it (commands/shared/timeout.ts). start: readiness (transactor start, up); stop: the grace
 * period before a kill (transactor stop, down); peer: db check's peer.
 */
export const TIMEOUT_SECONDS = { start: 120, stop: 30, peer: 180 } as const;

export function addStorageOptions(cmd: Command): Command {
  return cmd
    .option('--pg-url <url>', 'storage target postgresql://USER:PASSWORD@HOST:PORT/DATABASE (env DTX_PG_URL, DATABASE_URL)')
    .option('--no-embedded', 'never start the embedded PostgreSQL automatically');
}

export function addAdminOptions(cmd: Command): Command {
  return cmd.option('--admin-url <url>', 'superuser connection used to create the database and role (env DTX_ADMIN_URL, PG*)');
}

export function addDatomicOptions(cmd: Command): Command {
  return cmd
    .option('--datomic-home <dir>', 'Datomic Pro installation folder (env DATOMIC_HOME)')
    .option('--java-home <dir>', 'Java installation to run Datomic with (env JAVA_HOME; else java on PATH)');
}

export function addTransactorOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'transactor host that peers connect to (default localhost)')
    .option('--alt-host <host>', 'transactor alt-host')
    .option('--port <port>', 'transactor port (default 4334)')
    .option('--ping-port <port>', 'serve /health on this port')
    .option('--xmx <size>', 'max heap, also picks memory settings (default 1g)')
    .option('--xms <size>', 'initial heap')
    .option('--java-opts <opts>', 'extra JVM options')
    .addOption(new Option('--heartbeat-interval-msec <ms>', 'heartbeat-interval-msec (min 1000)').hideHelp())
    .option('--properties <file>', 'use your own transactor properties file');
}

export function addSecretsOption(cmd: Command): Command {
  return cmd.option('--show-secrets', 'print passwords instead of ***');
}

export function addYesOption(cmd: Command): Command {
  return cmd.option('-y, --yes', 'do not ask for confirmation (required without a terminal)');
}
