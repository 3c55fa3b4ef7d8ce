/** Small TCP/HTTP probes: transactor start/status, the embedded PostgreSQL port, storage liveness. */
import net from 'node:net';

/** Hosts a server may bind to that one cannot connect to as such. */
function connectHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

export type ProbeResult = 'open' | 'refused' | 'timeout' | 'error';

/**
 * One TCP connect attempt to host:port: 'open' (accepted), 'refused' (ECONNREFUSED: nothing
 * listens), 'timeout' (no answer within timeoutMs) or 'error' (any other failure).
 */
export function probePort(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: connectHost(host), port });
    let done = false;
    const finish = (v: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.once('connect', () => finish('open'));
    sock.once('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'refused' : 'error'));
  });
}

/** True when something accepts a TCP connection on host:port within timeoutMs. */
export async function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return (await probePort(host, port, timeoutMs)) === 'open';
}

/**
 * True when host:port can be bound now (nothing listens there). Binding is the check Datomic's own
 * bind will do; a connect probe is added because another program may listen on a wildcard address.
 */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  const bindable = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: host === '' ? undefined : host, port, exclusive: true }, () => {
      srv.close(() => resolve(true));
    });
  });
  if (!bindable) return false;
  return !(await isPortOpen(host, port, 300));
}

/** GET http://host:port/health → 'ok' (2xx) or 'down'. node:http is loaded only here (startup cost). */
export async function probeHealth(host: string, port: number, timeoutMs = 1000): Promise<'ok' | 'down'> {
  const { default: http } = await import('node:http');
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: 'ok' | 'down'): void => {
      if (done) return;
      done = true;
      resolve(v);
    };
    const req = http.get({ host: connectHost(host), port, path: '/health', timeout: timeoutMs }, (res) => {
      res.resume();
      finish(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300 ? 'ok' : 'down');
    });
    req.on('timeout', () => {
      req.destroy();
      finish('down');
    });
    req.on('error', () => finish('down'));
  });
}
