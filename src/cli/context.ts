/**
 * What every command receives: the io object, the resolved config (lazily, so `--help` never
 * resolves anything) and an abort signal that fires on Ctrl-C.
 */
import os from 'node:os';
import type { Command } from 'commander';
import type { Io } from './io.js';
import { resolveConfig, type RawValues, type ResolvedConfig, CONFIG_KEYS, type ConfigKey } from '../core/config.js';
import { resolveDtxHome, userSettingsFile } from '../core/dtx-home.js';

export interface Ctx {
  io: Io;
  signal: AbortSignal;
  /** Options of this command and its parents, only those given on the command line. */
  flags: Record<string, unknown>;
  config(): ResolvedConfig;
  /** dtx's per-user folder (DTX_HOME, else ~/.dtx or %LOCALAPPDATA%\dtx): installed distributions, settings. */
  dtxHome(): string;
}

/** Options the user actually typed (commander fills defaults for --no-x flags; those don't count). */
export function cliFlags(cmd: Command): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    const opts = c.opts();
    for (const key of Object.keys(opts)) {
      if (key in flags) continue;
      if (c.getOptionValueSource(key) === 'cli') flags[key] = opts[key];
    }
  }
  return flags;
}

export function createCtx(io: Io, cmd: Command, signal: AbortSignal): Ctx {
  const flags = cliFlags(cmd);
  let cached: ResolvedConfig | undefined;
  const dtxHome = () => resolveDtxHome({ env: io.env, platform: io.platform, homedir: os.homedir(), cwd: io.cwd });
  return {
    io,
    signal,
    flags,
    dtxHome,
    config() {
      if (!cached) {
        const configFlags: RawValues = {};
        for (const k of Object.keys(CONFIG_KEYS) as ConfigKey[]) if (flags[k] !== undefined) configFlags[k] = flags[k];
        cached = resolveConfig({
          flags: configFlags,
          env: io.env,
          cwd: io.cwd,
          configPath: flags.config as string | undefined,
          userSettingsFile: userSettingsFile(dtxHome()),
        });
      }
      return cached;
    },
  };
}
