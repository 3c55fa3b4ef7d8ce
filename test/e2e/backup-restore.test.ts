/**
 * `dtx db backup`, `db backups` and `db restore` through the built CLI, running REAL Datomic code:
 * the fake distribution's bin/datomic calls the peer jar's datomic.backup/backup, restore and
 * describe-backups (test/peer/src/dtx/fake_datomic_cli.clj), on storage written by real Datomic code.
 * The distribution and the backup folder both have spaces (and the folder a non-ASCII letter) in
 * their paths. The restored database is read back whole by the real peer's loader, and Datomic's
 * refusals (collision, a name held by another database, a t the backup lacks, a folder holding
 * another database's backups) come out as errors that say what to do, writing nothing. (An empty
 * folder, for which the real code prints `nil` from list-backups and `:restore/no-roots` from
 * restore-db, is covered by the unit tests of the parsers, to spare a JVM.)
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dtx, errOf, tempStateDir, type CliResult } from '../helpers/cli.js';
import { freshStorage } from '../helpers/pg.js';
import { writeBeat } from '../helpers/heartbeat.js';
import { dumpRows } from '../helpers/real-peer.js';
import { runReferee, type RealStorageManifest } from '../helpers/real-storage.js';
import { loadedRealStorage, noRealStorage } from '../helpers/real-storage-copy.js';
import { installFakeDatomic } from '../fixtures/fake-datomic/install.mjs';
import { MAINTENANCE_LOCK_KEY } from '../../src/core/storage/maintenance-lock.js';

const skip = noRealStorage('backup-restore.test');

describe.skipIf(skip)('backup, list and restore with real Datomic code', () => {
  let m: RealStorageManifest;
  let src: Awaited<ReturnType<typeof freshStorage>>;
  let dst: Awaited<ReturnType<typeof freshStorage>>;
  let home = '';
  let backupDir = '';
  let onSrc: string[] = [];
  let onDst: string[] = [];
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const r = await dtx(args, { timeoutMs: 120_000 });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  beforeAll(async () => {
    [{ m, ...src }, dst] = await Promise.all([loadedRealStorage('bksrc'), freshStorage('bkdst')]);
    const tmp = mkdtempSync(path.join(tmpdir(), 'dtx-backup-'));
    home = await installFakeDatomic(path.join(tmp, 'Datomic Pro 1.0.7469'));
    backupDir = path.join(tmp, 'my backups', 'alpha é');
    onSrc = ['--pg-url', src.url, '--state-dir', tempStateDir(), '--datomic-home', home];
    onDst = ['--pg-url', dst.url, '--state-dir', tempStateDir(), '--datomic-home', home];
  }, 120_000);

  it('backs up alpha (every segment of its backup set), lists it, restores it into a fresh storage where the real peer reads it exactly as the original', async () => {
    const alpha = m.databases.alpha;
    const b = await run(['--json', 'db', 'backup', 'alpha', backupDir, ...onSrc]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.json()).toEqual({
      name: 'alpha',
      dbId: alpha.dbId,
      dir: backupDir,
      backupUri: `file://${backupDir.split('/').map(encodeURIComponent).join('/')}`,
      copied: alpha.backupKeys.length,
      skipped: 0,
    });
    expect((b.json() as { backupUri: string }).backupUri).toMatch(/\/my%20backups\/alpha%20%C3%A9$/);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);

    const l = await run(['--json', 'db', 'backups', backupDir, '--datomic-home', home]);
    expect(l.code, l.stderr).toBe(0);
    expect(l.json()).toMatchObject({ dir: backupDir, ts: [alpha.summary.basisT], latest: alpha.summary.basisT });

    const r = await run(['--json', 'db', 'restore', backupDir, 'alpha-copy', ...onDst]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      name: 'alpha-copy',
      dbId: alpha.dbId, // a restore keeps the db-id
      t: alpha.summary.basisT,
      replaced: false,
      copied: alpha.backupKeys.length,
      skipped: 0,
      restartRequired: true,
    });
    expect((r.json() as { uri: string }).uri).toContain('password=***');

    const ref = await runReferee(dst.url, [
      { label: 'copy', op: 'summary', dbId: alpha.dbId },
      { label: 'names', op: 'names' },
    ]);
    expect(ref.get('copy')?.error).toBeUndefined();
    expect(ref.get('copy')?.summary).toEqual(alpha.summary);
    expect(ref.get('names')?.names).toEqual(['alpha-copy']);
  }, 240_000);

  it("restoring over the same database asks first, then with --yes skips every segment it already has", async () => {
    const no = await run(['--json', 'db', 'restore', backupDir, 'alpha-copy', ...onDst]);
    expect(no.code).toBe(2);
    expect(errOf(no).code).toBe('CONFIRMATION_REQUIRED');
    const r = await run(['db', 'restore', backupDir, 'alpha-copy', '--yes', ...onDst]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('as database alpha-copy (over the existing one)');
    expect(r.stdout).toContain(`0 copied, ${m.databases.alpha.backupKeys.length} already in storage`);
    // progress from the script's own "Copied N segments, skipped M segments." lines
    expect(r.stderr).toMatch(/restoring "alpha-copy": copied 0 segments, skipped \d+/);
    expect(r.stderr).toMatch(/warning: .*restart every peer/);
  }, 120_000);

  it("Datomic's refusals write nothing and say what to do: a second name, another database's name, a missing t, a folder of another database", async () => {
    const before = { src: await dumpRows(src.url), dst: await dumpRows(dst.url) };
    // two restores into one storage at once: the second finds the storage busy (dtx's maintenance lock)
    const [[collision, badT], taken, claimed] = await Promise.all([
      (async () => [
        await run(['--json', 'db', 'restore', backupDir, 'alpha-copy2', ...onDst]),
        await run(['--json', 'db', 'restore', backupDir, 'alpha-copy', '--t', '7', '--yes', ...onDst]),
      ])(),
      run(['--json', 'db', 'restore', backupDir, 'beta', '--yes', ...onSrc]),
      run(['--json', 'db', 'backup', 'beta', backupDir, ...onSrc]),
    ]);
    if (!collision || !badT) throw new Error('unreachable');
    expect([collision.code, errOf(collision).code]).toEqual([2, 'RESTORE_COLLISION']);
    expect(errOf(collision).message).toContain('under the name "alpha-copy"');
    expect(errOf(collision).hint).toContain('--pg-url');
    expect([taken.code, errOf(taken).code]).toEqual([2, 'RESTORE_NAME_TAKEN']);
    expect(errOf(taken).hint).toMatch(/free name|delete "beta"/);
    expect([badT.code, errOf(badT).code]).toEqual([3, 'BACKUP_T_NOT_FOUND']);
    expect(errOf(badT).hint).toContain('dtx db backups');
    expect([claimed.code, errOf(claimed).code]).toEqual([2, 'BACKUP_DIR_TAKEN']);
    expect(errOf(claimed).message).toContain(m.databases.alpha.dbId);
    expect({ src: await dumpRows(src.url), dst: await dumpRows(dst.url) }).toEqual(before);
  }, 180_000);

  it('refusals before any JVM: a missing folder, a bad t, an unknown database (did you mean), a busy storage, a live transactor', async () => {
    const missing = await run(['--json', 'db', 'restore', path.join(backupDir, 'nope'), 'x', ...onDst]);
    expect([missing.code, errOf(missing).code]).toEqual([3, 'BACKUP_NOT_FOUND']);
    // the human form: error and hint on stderr, no stack trace
    const h = await run(['db', 'restore', path.join(backupDir, 'nope'), 'x', ...onDst]);
    expect(h.stderr).toMatch(/^error: no Datomic backup in /m);
    expect(h.stderr).toMatch(/^hint: /m);
    expect(h.stderr).not.toMatch(/\n\s+at /);
    const t = await run(['--json', 'db', 'restore', backupDir, 'x', '--t', 'latest', ...onDst]);
    expect([t.code, errOf(t).code]).toEqual([2, 'BACKUP_T_INVALID']);
    const unknown = await run(['--json', 'db', 'backup', 'alpah', backupDir, ...onSrc]);
    expect([unknown.code, errOf(unknown).code]).toEqual([3, 'DB_NOT_FOUND']);
    expect(errOf(unknown).hint).toContain('"alpha"');
    const list = await run(['--json', 'db', 'backups', path.join(backupDir, 'nope')]);
    expect([list.code, errOf(list).code]).toEqual([3, 'BACKUP_NOT_FOUND']);
    // another dtx rewriting this storage (a purge, a sweep, a restore) holds the maintenance lock
    const holder = new pg.Client({ connectionString: dst.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [MAINTENANCE_LOCK_KEY]);
      const busy = await run(['--json', 'db', 'restore', mkdtempSync(path.join(tmpdir(), 'dtx-bk-')), 'other', ...onDst]);
      expect([busy.code, errOf(busy).code]).toEqual([1, 'STORAGE_BUSY']);
    } finally {
      await holder.end();
    }
    await writeBeat(dst.url); // a fresh heartbeat of a transactor on another host: alive
    const live = await run(['--json', 'db', 'restore', mkdtempSync(path.join(tmpdir(), 'dtx-bk-')), 'other', ...onDst]);
    expect([live.code, errOf(live).code]).toEqual([2, 'RESTORE_NEEDS_STOPPED_TRANSACTOR']);
    expect(errOf(live).hint).toContain('dtx transactor stop');
    // the storage passwords never show
    for (const o of outputs) {
      expect(o).not.toContain(src.password);
      expect(o).not.toContain(dst.password);
    }
  }, 60_000);
});
