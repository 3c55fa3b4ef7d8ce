/**
 * The test harness itself: how a test starts dtx reports a death by a signal as such, not as an
 * exit code (a test expecting 130 from a Ctrl-C must get dtx's own exit 130).
 */
import { describe, it, expect } from 'vitest';
import { dtxSpawn } from '../helpers/cli.js';

describe('how tests start dtx', () => {
  it('a death by a signal is a signal, not an exit code', async () => {
    const p = dtxSpawn(['db', 'list', '--pg-url', 'postgresql://u:p@192.0.2.1:5432/x']);
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r).toMatchObject({ code: null, signal: 'SIGTERM' });
  });
});
