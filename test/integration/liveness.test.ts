/**
 * The one liveness judgement (src/core/storage/liveness.ts) against a real PostgreSQL, with a
 * stand-in heartbeat written in Datomic's format (test/helpers/heartbeat.ts). Issue 9, items 1, 2, 9:
 * a rev that advances means alive whatever the timestamp says; a second sample is skipped only when
 * nothing could be alive; an aborted wait throws (exit 130) and is never a verdict.
 */
import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import type pg from 'pg';
import { freshStorage } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { startBeating, writeBeat } from '../helpers/heartbeat.js';
import { connect } from '../../src/core/postgres/client.js';
import { DtxError } from '../../src/core/errors.js';
import { transactorLiveness } from '../../src/core/storage/liveness.js';

const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function storage(): Promise<{ url: string; c: pg.Client }> {
  const st = await freshStorage('live');
  const c = await connect({ url: st.url, purpose: 'storage' });
  cleanups.push(() => c.end());
  return { url: st.url, c };
}

function counter(): { fn: () => void; n: () => number } {
  let n = 0;
  return { fn: () => n++, n: () => n };
}

describe('transactorLiveness', () => {
  it('a rev advancing every second with timestamps 20 minutes behind is alive (skewed clock)', async () => {
    const { url, c } = await storage();
    const tx = await startBeating(url, { skewMs: -20 * MIN, everyMs: 1000 });
    cleanups.push(tx.stop);
    const second = counter();
    const l = await transactorLiveness(c, { intervalMs: 1000, onSecondSample: second.fn });
    expect(l.alive).toBe(true);
    expect(l.how).toBe('advanced');
    expect(second.n()).toBe(1);
  });

  it('a clock running 20 minutes ahead with an advancing rev is alive too', async () => {
    const { url, c } = await storage();
    const tx = await startBeating(url, { skewMs: 20 * MIN, everyMs: 1000 });
    cleanups.push(tx.stop);
    const l = await transactorLiveness(c, { intervalMs: 1000 });
    expect(l.alive).toBe(true);
    expect(l.how).toBe('fresh'); // a timestamp in the future looks fresh: the one-shot rule
    // asked to be sure, the second sample sees the rev advance
    const second = counter();
    const sure = await transactorLiveness(c, { intervalMs: 1000, confirm: true, onSecondSample: second.fn });
    expect(sure.alive).toBe(true);
    expect(sure.how).toBe('advanced');
    expect(second.n()).toBe(1);
  });

  it('an old heartbeat that does not advance is dead only after a second sample of more than one interval', async () => {
    const { url, c } = await storage();
    await writeBeat(url, { skewMs: -20 * MIN });
    const second = counter();
    const t0 = Date.now();
    const l = await transactorLiveness(c, { intervalMs: 1000, onSecondSample: second.fn });
    expect(l.alive).toBe(false);
    expect(l.how).toBe('still');
    expect(second.n()).toBe(1);
    expect(Date.now() - t0).toBeGreaterThan(1000); // it really waited for more than one beat
  });

  it('no pod-coord row: dead at once, no second sample', async () => {
    const { c } = await storage();
    const second = counter();
    const l = await transactorLiveness(c, { intervalMs: 1000, onSecondSample: second.fn });
    expect(l).toMatchObject({ alive: false, how: 'absent', heartbeat: null });
    expect(second.n()).toBe(0);
  });

  it('a local endpoint whose port refuses connections: dead at once, fresh or old, no second sample', async () => {
    const { url, c } = await storage();
    const port = await freePort();
    for (const skewMs of [0, -60_000, -20 * MIN]) {
      await writeBeat(url, { host: '127.0.0.1', port, skewMs });
      const second = counter();
      const l = await transactorLiveness(c, { intervalMs: 1000, onSecondSample: second.fn });
      expect(l, `skew ${skewMs}`).toMatchObject({ alive: false, how: 'gone' });
      expect(second.n()).toBe(0);
    }
  });

  it('a local endpoint that listens but whose old heartbeat does not advance: second sample, dead', async () => {
    const { url, c } = await storage();
    const srv = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
    const port = (srv.address() as net.AddressInfo).port;
    await writeBeat(url, { host: '127.0.0.1', port, skewMs: -60_000 });
    const second = counter();
    const l = await transactorLiveness(c, { intervalMs: 1000, onSecondSample: second.fn });
    expect(l).toMatchObject({ alive: false, how: 'still' });
    expect(second.n()).toBe(1);
  });

  it('a fresh heartbeat of another host is alive at once (one-shot rule)', async () => {
    const { url, c } = await storage();
    await writeBeat(url, { host: '192.0.2.10' });
    const second = counter();
    const l = await transactorLiveness(c, { intervalMs: 1000, onSecondSample: second.fn });
    expect(l).toMatchObject({ alive: true, how: 'fresh' });
    expect(second.n()).toBe(0);
  });

  it('confirm: a fresh heartbeat must also advance', async () => {
    const { url, c } = await storage();
    await writeBeat(url, { host: '192.0.2.10' });
    const l = await transactorLiveness(c, { intervalMs: 1000, confirm: true });
    expect(l).toMatchObject({ alive: false, how: 'still' });
  });

  it('judges pod-standby the same way when asked', async () => {
    const { url, c } = await storage();
    const tx = await startBeating(url, { id: 'pod-standby', skewMs: -20 * MIN, everyMs: 500 });
    cleanups.push(tx.stop);
    const l = await transactorLiveness(c, { id: 'pod-standby', intervalMs: 1000 });
    expect(l).toMatchObject({ alive: true, how: 'advanced' });
    expect(l.heartbeat?.id).toBe('pod-standby');
    expect((await transactorLiveness(c, { intervalMs: 1000 })).how).toBe('absent');
  });

  it('an abort during the second sample throws CANCELLED (exit 130), never a verdict', async () => {
    const { url, c } = await storage();
    await writeBeat(url, { skewMs: -60_000 });
    const ac = new AbortController();
    const t0 = Date.now();
    const p = transactorLiveness(c, { intervalMs: 5000, signal: ac.signal, onSecondSample: () => setTimeout(() => ac.abort(), 200) });
    const e = await p.then(
      (v) => v,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DtxError);
    expect((e as DtxError).code).toBe('CANCELLED');
    expect((e as DtxError).exitCode).toBe(130);
    expect(Date.now() - t0).toBeLessThan(3000); // it stopped waiting at once
  });

  it('an already aborted signal throws before reading anything', async () => {
    const { c } = await storage();
    const ac = new AbortController();
    ac.abort();
    await expect(transactorLiveness(c, { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED', exitCode: 130 });
  });
});
