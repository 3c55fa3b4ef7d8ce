/**
 * The fake Datomic Pro distribution as a datomic-pro-<version>.zip (built with the test zip
 * writer, modes from disk), and a loopback HTTP server (127.0.0.1 only) that serves archives the
 * way S3 does, or badly: a 404, a body cut short, a stall.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { entriesFromDir, writeZip, type ZipInput } from './zip-writer.js';

export const FAKE_DATOMIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fake-datomic');
/** The repo's node_modules, where the fake distribution's scripts find `pg` once unpacked elsewhere. */
export const NODE_MODULES = path.resolve(FAKE_DATOMIC, '..', '..', '..', 'node_modules');

/**
 * The environment for a dtx that installs the fake distribution into `dtxHome` and runs it from
 * there: its scripts find `pg` in the repo, and no DATOMIC_HOME from outside stands in for it.
 */
export function fakeDistributionEnv(dtxHome: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { DTX_HOME: dtxHome, FAKE_DATOMIC_NODE_MODULES: NODE_MODULES, DATOMIC_HOME: undefined, ...extra };
}

export function fakeDistributionZip(opts: { version?: string; omit?: string[]; extra?: ZipInput[] } = {}): Buffer {
  const version = opts.version ?? '1.0.7469';
  const top = `datomic-pro-${version}`;
  const skip = new Set(['log', 'data', 'node_modules', 'peer-src', ...(opts.omit ?? [])]);
  const entries = entriesFromDir(FAKE_DATOMIC, top, { skip: (rel) => skip.has(rel) || skip.has(rel.split('/')[0] ?? '') });
  return writeZip([...entries, ...(opts.extra ?? [])]);
}

export interface Route {
  body?: Buffer;
  status?: number;
  /** Send this many bytes of the body, then drop the connection (Content-Length says the whole). */
  cutAfter?: number;
  /** Content-Length to announce (default body length). */
  contentLength?: number;
  /** Send the headers and a few bytes, then nothing (until the client gives up). */
  stall?: boolean;
}

export interface ZipServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startZipServer(routes: Record<string, Route>): Promise<ZipServer> {
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const r = routes[p];
    if (!r || r.status === 404) {
      res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    const body = r.body ?? Buffer.alloc(0);
    res.writeHead(r.status ?? 200, { 'content-type': 'application/zip', 'content-length': String(r.contentLength ?? body.length) });
    if (r.stall) {
      res.write(body.subarray(0, 100));
      return; // never ends; the client aborts (or the server closes at teardown)
    }
    if (r.cutAfter !== undefined) {
      res.write(body.subarray(0, r.cutAfter), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
