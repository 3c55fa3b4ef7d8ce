/**
 * Backup URIs per platform, and reading what bin/datomic prints: progress, the restore event, the
 * list of points in time, and Datomic's refusals (the exact lines the real peer library's
 * datomic.backup printed through the fake bin/datomic, see test/e2e/backup-restore.test.ts).
 */
import { describe, it, expect } from 'vitest';
import {
  backupFailure,
  backupUri,
  lastCopyProgress,
  parseBackupList,
  parseCopyProgress,
  parseRestoreEvent,
  parseT,
  resolveBackupDir,
  succeeded,
} from '../../src/core/datomic/backup.js';

describe('backup URIs', () => {
  it('POSIX: absolute file:/// URIs, each segment percent-encoded (Datomic parses them with java.net.URI)', () => {
    expect(backupUri('/var/backups/my-app', 'linux')).toBe('file:///var/backups/my-app');
    expect(backupUri('/tmp/my backups/alpha é', 'linux')).toBe('file:///tmp/my%20backups/alpha%20%C3%A9');
    expect(backupUri('/b/100%/#1?x', 'darwin')).toBe('file:///b/100%25/%231%3Fx');
    expect(resolveBackupDir('backups/x', '/home/me', 'linux')).toBe('/home/me/backups/x');
  });

  it('Windows: file:///C:/... with forward slashes; spaces encoded; a UNC path is refused with a hint', () => {
    expect(backupUri('C:\\Datomic Backups\\my-app', 'win32')).toBe('file:///C:/Datomic%20Backups/my-app');
    expect(backupUri('d:\\b', 'win32')).toBe('file:///D:/b');
    expect(resolveBackupDir('backups\\x', 'C:\\Users\\me', 'win32')).toBe('C:\\Users\\me\\backups\\x');
    expect(() => backupUri('\\\\server\\share\\b', 'win32')).toThrow(expect.objectContaining({ code: 'BACKUP_DIR_UNSUPPORTED', exitCode: 2 }));
  });
});

describe("reading bin/datomic's output", () => {
  const backupOut = 'Copied 0 segments, skipped 0 segments.\nCopied 165 segments, skipped 0 segments.\nCopied 167 segments, skipped 0 segments.\n:succeeded\n';

  it('progress lines and the totals (the last one)', () => {
    expect(parseCopyProgress('Copied 32 segments, skipped 0 segments.')).toEqual({ copied: 32, skipped: 0 });
    expect(parseCopyProgress(':succeeded')).toBeNull();
    expect(lastCopyProgress(backupOut)).toEqual({ copied: 167, skipped: 0 });
    expect(succeeded(backupOut)).toBe(true);
    expect(succeeded('Copied 0 segments, skipped 0 segments.\njava.lang.Exception: x\n')).toBe(false);
  });

  it('the restore event, with the db name printed bare (println) or quoted (prn)', () => {
    expect(parseRestoreEvent('{:event :restore, :db app, :basis-t 66, :inst #inst "1970-01-01T00:00:00.000-00:00"}')).toEqual({ db: 'app', basisT: 66, inst: '1970-01-01T00:00:00.000-00:00' });
    expect(parseRestoreEvent('{:event :restore, :db "my app", :basis-t 2944, :inst #inst "2026-01-01T00:00:00.000-00:00"}')?.db).toBe('my app');
    expect(parseRestoreEvent(':succeeded')).toBeNull();
  });

  it('list-backups: a list (newest first), nil or () for none, a describe-backups map; null when unreadable', () => {
    expect(parseBackupList('SLF4J: noise\n(6002 1001)\n')).toEqual([6002, 1001]);
    expect(parseBackupList('(1001 6002)')).toEqual([6002, 1001]);
    expect(parseBackupList('nil\n')).toEqual([]);
    expect(parseBackupList('()')).toEqual([]);
    expect(parseBackupList('{:db-id "a-1", :ts (2944)}')).toEqual([2944]);
    expect(parseBackupList('something else')).toBeNull();
  });

  it('--t is a whole number', () => {
    expect(parseT(' 1001 ')).toBe(1001);
    expect(() => parseT('latest')).toThrow(expect.objectContaining({ code: 'BACKUP_T_INVALID', exitCode: 2 }));
    expect(() => parseT('-1')).toThrow(expect.objectContaining({ code: 'BACKUP_T_INVALID' }));
  });
});

describe("Datomic's refusals become errors that say what to do", () => {
  const fail = (stdout: string) => ({ code: 1, signal: null, stdout: `Copied 0 segments, skipped 0 segments.\n${stdout}\n`, stderr: '', timedOut: false });
  const ctx = { op: 'restore-db' as const, dir: '/b/alpha', name: 'copy2' };

  it.each([
    ["datomic.impl.Exceptions$IllegalArgumentExceptionInfo: :restore/collision The database already exists under the name 'copy'", 'RESTORE_COLLISION', 2],
    ["datomic.impl.Exceptions$IllegalArgumentExceptionInfo: :restore/collision The name 'beta' is already in use by a different database", 'RESTORE_NAME_TAKEN', 2],
    ['clojure.lang.ExceptionInfo: :restore/roots-missing No database root for t 5', 'BACKUP_T_NOT_FOUND', 3],
    ['clojure.lang.ExceptionInfo: :restore/no-roots No restore points available at file:/tmp/opb/nope', 'BACKUP_NOT_FOUND', 3],
    ['datomic.impl.Exceptions$IllegalArgumentExceptionInfo: :backup/claim-failed Backup storage already used by alpha-607e61b9-8604-4b18-854b-c7421d6a7cc3', 'BACKUP_DIR_TAKEN', 2],
    ['clojure.lang.ExceptionInfo: :catalog/db-does-not-exist Database does not exist: datomic:sql://nosuch?jdbc:postgresql://h/d?user=u&password=pw', 'DB_NOT_FOUND', 3],
    ['java.net.URISyntaxException: Illegal character in path at index 16: file:/tmp/opb/sp ace/e', 'BACKUP_URI_INVALID', 2],
    ['Error: Could not find or load main class clojure.main', 'RESTORE_FAILED', 1],
  ])('%s', (line, code, exitCode) => {
    const e = backupFailure(ctx, fail(line));
    expect(e).toMatchObject({ code, exitCode });
    expect(e.hint).toBeTruthy();
  });

  it('an unknown failure shows the tail of the output, passwords masked', () => {
    const e = backupFailure({ op: 'backup-db', dir: '/b' }, fail('boom at datomic:sql://x?jdbc:postgresql://h/d?user=u&password=s3cret-pw'));
    expect(e.code).toBe('BACKUP_FAILED');
    expect(e.message).toContain('boom');
    expect(e.message).not.toContain('s3cret-pw');
  });
});
