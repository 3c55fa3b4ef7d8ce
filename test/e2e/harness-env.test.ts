/**
 * The test harness itself: every way a test starts dtx (piped, on a pseudo-terminal) gives it the
 * test's own DTX_HOME, never the developer's ~/.dtx (whose installed Datomic would stand in for a
 * missing --datomic-home), and reports a death by a signal as such, not as an exit code.
 */
import { describe, it, expect } from 'vitest';
import { dtx, dtxSpawn, testDtxHome } from '../helpers/cli.js';
import { HAS_PTY, dtxPty } from '../helpers/pty.js';

const dtxHomeOf = (json: string) => (JSON.parse(json) as { dtxHome: string }).dtxHome;

describe('how tests start dtx', () => {
  it('piped: the test DTX_HOME', async () => {
    const r = await dtx(['--json', 'config']);
    expect(r.code, r.stderr).toBe(0);
    expect(dtxHomeOf(r.stdout)).toBe(testDtxHome());
  });

  it.skipIf(!HAS_PTY)('on a terminal: the test DTX_HOME', async () => {
    const r = await dtxPty(['--json', 'config'], { cols: 200 });
    expect(r.code, r.raw).toBe(0);
    expect(dtxHomeOf(r.raw.replace(/\r/g, ''))).toBe(testDtxHome());
  });

  it('a death by a signal is a signal, not an exit code', async () => {
    const p = dtxSpawn(['db', 'list', '--pg-url', 'postgresql://u:p@192.0.2.1:5432/x']);
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r).toMatchObject({ code: null, signal: 'SIGTERM' });
  });
});
