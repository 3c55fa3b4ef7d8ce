/**
 * Which PostgreSQL a command talks to. When the storage target is the default localhost:5432 (or
 * the port of this state dir's embedded cluster) and nothing listens there, the embedded server is
 * started on demand (unless embedded is off). When the embedded server serves the target, its
 * superuser is the admin connection unless one was given explicitly.
 */
import type { ResolvedConfig } from '../config.js';
import { embeddedAdminUrl, embeddedStatus, portInUse, readSuperuser, startEmbedded, type EmbeddedStatus } from './embedded.js';
import { isLocalHost } from './url.js';
import { DtxError, ExitCode } from '../errors.js';

export interface StorageServer {
  adminUrl: string;
  embedded: { used: boolean; startedNow: boolean; port: number; pid: number | null } | null;
}

export interface EnsureOptions {
  /** Do not start anything (dry runs): report what would happen. */
  noStart?: boolean;
  onNotice?: (text: string) => void;
  onProgress?: (stage: string) => void;
}

export async function ensureStorageServer(cfg: ResolvedConfig, opts: EnsureOptions = {}): Promise<StorageServer & { wouldStartEmbedded?: 'fresh' | 'existing' }> {
  const { pg } = cfg;
  const plain: StorageServer = { adminUrl: cfg.adminUrl, embedded: null };
  if (!isLocalHost(pg.host)) return plain;
  const st = await embeddedStatus(cfg.stateDir);
  const adminFor = async (port: number) => {
    if (cfg.adminUrlExplicit) return cfg.adminUrl;
    const su = await readSuperuser(cfg.stateDir);
    return su ? embeddedAdminUrl(su, port) : cfg.adminUrl;
  };
  const role = embeddedForTarget(cfg, st);
  if (role.serves) {
    return { adminUrl: await adminFor(pg.port), embedded: { used: true, startedNow: false, port: pg.port, pid: st.pid } };
  }
  if (st.running && st.port !== null && st.port !== pg.port && cfg.embedded) {
    // Tell the truth in dry runs too: the embedded server runs, on another port (startEmbedded
    // would refuse the same way).
    if (!(await portInUse(pg.port, pg.host === '::1' ? '::1' : '127.0.0.1'))) {
      throw new DtxError({
        code: 'EMBEDDED_OTHER_PORT',
        message: `the embedded PostgreSQL of ${cfg.stateDir} is running on port ${st.port}, not ${pg.port} (the port in the storage URL), and nothing listens on ${pg.port}`,
        hint: `Use --pg-url with port ${st.port}, or \`dtx postgres stop\` first.`,
        exitCode: ExitCode.usage,
      });
    }
  }
  if (!role.applies) return plain;
  if (await portInUse(pg.port, pg.host === '::1' ? '::1' : '127.0.0.1')) return plain;
  if (opts.noStart) {
    opts.onNotice?.(`nothing listens on ${pg.host}:${pg.port}; without --dry-run dtx would start the embedded PostgreSQL (state dir ${cfg.stateDir})`);
    return { ...plain, wouldStartEmbedded: st.initialized ? 'existing' : 'fresh' };
  }
  const started = await startEmbedded({ stateDir: cfg.stateDir, port: pg.port, onProgress: opts.onProgress });
  opts.onNotice?.(
    `nothing listened on ${pg.host}:${pg.port}, so dtx ${started.initializedNow ? 'created and ' : ''}started the embedded PostgreSQL (data in ${started.dataDir}); it keeps running: \`dtx postgres stop\` stops it`,
  );
  return {
    adminUrl: cfg.adminUrlExplicit ? cfg.adminUrl : started.adminUrl,
    embedded: { used: true, startedNow: true, port: pg.port, pid: started.pid },
  };
}

/**
 * What the embedded server of the state dir is to the storage target (reads nothing, starts
 * nothing): `serves`, it runs on the target's port; `applies`, dtx starts it when nothing listens
 * there (a local target, embedded on, and the default port or a cluster made already).
 */
export function embeddedForTarget(cfg: ResolvedConfig, st: EmbeddedStatus): { serves: boolean; applies: boolean } {
  const local = isLocalHost(cfg.pg.host);
  return {
    serves: local && st.running && st.port === cfg.pg.port,
    applies: local && cfg.embedded && (cfg.pg.port === 5432 || st.initialized),
  };
}
