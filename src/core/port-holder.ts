/**
 * Who listens on a TCP port. Linux only, from /proc: /proc/net/tcp and /proc/net/tcp6 list the
 * listening sockets (state 0A) with their inode; /proc/<pid>/fd/* link to `socket:[inode]` for the
 * process that holds it. Processes of other users are only visible to root: then the holder is
 * unknown (the uid of the socket is still known). Other platforms: null (the caller says "in use").
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { Platform } from './datomic/distribution.js';
import { processCommandLine } from './datomic/process.js';

export interface Listener {
  address: string;
  port: number;
  inode: number;
  uid: number;
}

/** IPv4 in /proc/net/tcp: one 32-bit word in host (little-endian) byte order. */
function ipv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** IPv6 in /proc/net/tcp6: four 32-bit words, each little-endian. */
function ipv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  // ::ffff:a.b.c.d (an IPv4-mapped address)
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: the longest run of two or more zero groups becomes "::"
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const parts = groups.map((g) => g.toString(16));
  if (best.len < 2) return parts.join(':');
  return `${parts.slice(0, best.at).join(":")}::${parts.slice(best.at + best.len).join(":")}`;
}

/** The LISTEN sockets of /proc/net/tcp (v6 = false) or /proc/net/tcp6 text. */
export function parseProcNetTcp(text: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [addr, portHex] = (f[1] ?? '').split(':');
    if (!addr || !portHex) continue;
    out.push({ address: v6 ? ipv6(addr) : ipv4(addr), port: Number.parseInt(portHex, 16), uid: Number(f[7]), inode: Number(f[9]) });
  }
  return out;
}

export interface PortHolder {
  address: string;
  port: number;
  uid: number;
  /** null when the socket's process is not visible (another user's, without root) */
  pid: number | null;
  /** the process's command line (or its name), when readable */
  command: string | null;
}

export interface HolderOptions {
  platform?: Platform;
  /** For tests: where /proc lives. */
  procRoot?: string;
}

/**
 * The listeners on `port` and their processes. null when the platform offers no /proc (not Linux)
 * or /proc/net cannot be read; [] when nothing listens.
 */
export async function findPortHolders(port: number, opts: HolderOptions = {}): Promise<PortHolder[] | null> {
  const platform = opts.platform ?? process.platform;
  if (platform !== 'linux' && platform !== 'android') return null;
  const proc = opts.procRoot ?? '/proc';
  const tables = await Promise.all([
    readFile(`${proc}/net/tcp`, 'utf8').then((t) => parseProcNetTcp(t, false), () => null),
    readFile(`${proc}/net/tcp6`, 'utf8').then((t) => parseProcNetTcp(t, true), () => null),
  ]);
  if (tables.every((t) => t === null)) return null;
  const listeners = tables.flatMap((t) => t ?? []).filter((l) => l.port === port);
  if (listeners.length === 0) return [];
  const wanted = new Map(listeners.filter((l) => l.inode > 0).map((l) => [`socket:[${l.inode}]`, l]));
  const pids = new Map<number, number>(); // inode -> pid
  const entries = await readdir(proc).catch(() => [] as string[]);
  for (const e of entries) {
    if (pids.size === wanted.size) break;
    if (!/^\d+$/.test(e)) continue;
    const fds = await readdir(`${proc}/${e}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`${proc}/${e}/fd/${fd}`).catch(() => null);
      const l = link ? wanted.get(link) : undefined;
      if (l && !pids.has(l.inode)) pids.set(l.inode, Number(e));
    }
  }
  const out: PortHolder[] = [];
  for (const l of listeners) {
    const pid = pids.get(l.inode) ?? null;
    out.push({ address: l.address, port: l.port, uid: l.uid, pid, command: pid === null ? null : await commandOf(proc, pid) });
  }
  return out;
}

/** The process's command line, else its name (/proc/<pid>/comm: a zombie's cmdline is empty). */
async function commandOf(proc: string, pid: number): Promise<string | null> {
  const cmd = await processCommandLine(pid, { platform: 'linux', procRoot: proc });
  if (cmd) return cmd;
  return (await readFile(`${proc}/${pid}/comm`, 'utf8').catch(() => ''))?.trim() || null;
}
