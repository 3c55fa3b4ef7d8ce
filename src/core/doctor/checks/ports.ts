/**
 * Doctor check of the transactor's ports (its peer port and the /health ping port): free, or held
 * by whom. On Linux the holder is named from /proc; elsewhere, or when the holder belongs to
 * another user, the port is only "in use".
 */
import { isPortFree } from '../../net.js';
import { findPortHolders, type HolderOptions } from '../../port-holder.js';
import { looksLikeTransactor } from '../../datomic/process.js';
import { fail, pass, warn, type CheckResult } from '../types.js';

export interface PortCheckInput {
  name: 'transactor-port' | 'ping-port';
  /** e.g. "the transactor's port" */
  what: string;
  host: string;
  port: number;
  /** the transactor this state dir started, when alive */
  transactorPid: number | null;
  /** the live active transactor in storage names this host:port (its heartbeat advanced) */
  registeredHere: boolean;
  holders?: HolderOptions;
}

const short = (cmd: string | null) => (cmd ? (cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd) : '?');

export async function checkPort(o: PortCheckInput): Promise<CheckResult> {
  const at = `${o.host}:${o.port}`;
  if (await isPortFree(o.host, o.port)) return pass(o.name, `${o.what} ${at} is free`);
  const holders = (await findPortHolders(o.port, o.holders)) ?? [];
  const known = holders.find((h) => h.pid !== null);
  const change = o.name === 'transactor-port' ? '--port (or port= in your properties file)' : '--ping-port (or ping-port= in your properties file)';
  if (known && known.pid !== null) {
    if (known.pid === o.transactorPid) return pass(o.name, `${o.what} ${at} is held by the transactor this state dir started (pid ${known.pid})`);
    if (looksLikeTransactor(known.command ?? '')) {
      if (o.registeredHere) return pass(o.name, `${o.what} ${at} is held by the live transactor registered in this storage (pid ${known.pid})`);
      return warn(
        o.name,
        `${o.what} ${at} is held by another Datomic transactor (pid ${known.pid}: ${short(known.command)}), not the one registered in this storage`,
        `A transactor dtx starts here needs a free port: stop that one, or choose another with ${change}.`,
      );
    }
    return fail(o.name, `${o.what} ${at} is in use by pid ${known.pid} (${short(known.command)})`, `Stop that program, or choose another port with ${change}.`);
  }
  if (o.registeredHere && o.name === 'transactor-port') return pass(o.name, `${o.what} ${at} is in use by the live transactor registered in this storage`);
  if (o.transactorPid !== null) {
    return pass(o.name, `${o.what} ${at} is in use, presumably by the transactor this state dir started (pid ${o.transactorPid}; the holder is not visible)`);
  }
  const who = holders.length ? ` by a process of uid ${holders[0]?.uid} that dtx cannot see` : '';
  return fail(o.name, `${o.what} ${at} is in use${who}`, `Stop the program that listens there (e.g. \`ss -ltnp 'sport = :${o.port}'\` or \`lsof -i :${o.port}\` names it), or choose another port with ${change}.`);
}
