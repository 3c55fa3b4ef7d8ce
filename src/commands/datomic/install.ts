import type { Ctx } from '../../cli/context.js';
import { installDatomic, type InstallResult } from '../../core/datomic/install.js';
import { keyValues, printJson } from '../../render/output.js';
import { startProgress, type Progress } from '../../render/progress.js';
import { startTransferProgress, type TransferProgress } from '../../render/transfer.js';
import { formatBytes } from '../../render/units.js';

export async function run(ctx: Ctx, version?: string): Promise<number> {
  const r = await install(ctx, {
    version,
    url: ctx.flags.url as string | undefined,
    fromFile: ctx.flags.fromFile as string | undefined,
    sha256: ctx.flags.sha256 as string | undefined,
    force: Boolean(ctx.flags.force),
  });
  render(ctx, r);
  return 0;
}

export interface InstallRequest {
  version?: string | undefined;
  url?: string | undefined;
  fromFile?: string | undefined;
  sha256?: string | undefined;
  force?: boolean;
}

/** Runs the install with a spinner for the stages and a byte bar for download and unpacking (also used by `dtx up`). */
export async function install(ctx: Ctx, req: InstallRequest): Promise<InstallResult> {
  const { io } = ctx;
  // One of them owns the status line at a time: the spinner for a stage, the bar for bytes.
  let spinner: Progress | null = startProgress(io, 'preparing');
  let bar: TransferProgress | null = null;
  const barFor = (label: string) => {
    spinner?.stop();
    spinner = null;
    bar ??= startTransferProgress(io, label);
    return bar;
  };
  const endBar = () => {
    bar?.stop();
    bar = null;
  };
  try {
    return await installDatomic({
      dtxHome: ctx.dtxHome(),
      // A mirror of the official bucket (same <version>/datomic-pro-<version>.zip layout).
      mirror: io.env.DTX_DATOMIC_MIRROR || undefined,
      ...req,
      signal: ctx.signal,
      onStage: (s) => {
        endBar();
        if (spinner) spinner.update(s);
        else spinner = startProgress(io, s);
      },
      onDownload: (done, total) => barFor('downloading').update(done, total),
      onExtract: (done, total) => barFor('unpacking  ').update(done, total),
    });
  } finally {
    endBar();
    spinner?.stop();
  }
}

function render(ctx: Ctx, r: InstallResult): void {
  const { io } = ctx;
  if (io.json) {
    printJson(io, {
      version: r.version,
      home: r.home,
      installed: !r.alreadyInstalled,
      alreadyInstalled: r.alreadyInstalled,
      replaced: r.replaced,
      source: r.source,
      sha256: r.sha256,
      bytes: r.bytes,
      files: r.files,
      default: r.isDefault,
      previousDefault: r.previousDefault,
      settingsFile: r.settingsFile,
      timings: r.timings,
    });
    return;
  }
  const c = io.chalk;
  if (r.alreadyInstalled) {
    io.out(`${c.dim('•')} Datomic Pro ${r.version} is already installed; nothing to download\n`);
  } else {
    io.out(`${c.green('✔')} Datomic Pro ${r.version} ${r.replaced ? 'reinstalled' : 'installed'}\n`);
  }
  io.out(
    keyValues(io, [
      ['home', r.home],
      ['source', r.source.kind === 'download' ? r.source.url : r.source.kind === 'file' ? r.source.file : undefined],
      ['sha256', r.sha256 ?? undefined],
      ['size', r.bytes !== null && !r.alreadyInstalled ? `${formatBytes(r.bytes)}, ${r.files} files` : undefined],
      ['default', r.previousDefault !== null ? `yes (was ${r.previousDefault})` : r.isDefault ? 'yes' : 'no'],
    ]),
  );
  io.out(c.dim(`transactor start, up and the db commands use it when no --datomic-home/DATOMIC_HOME is given. Next: ${io.cmd} up\n`));
}
