/**
 * Java check: `java -version` (JAVA_HOME/bin/java when given, else the first java on the PATH that
 * the caller passes in), parse the version, require 11+ (docs/datomic-storage.md §1).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DtxError, ExitCode } from '../errors.js';
import type { Platform } from './distribution.js';

export const MIN_JAVA_MAJOR = 11;

export interface JavaVersionOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Spawn error code (ENOENT, EACCES...) when the program could not run at all. */
  error?: string;
}

/** Runs `<java> -version`; injectable for tests. */
export type JavaRunner = (javaPath: string, args: string[], env: Record<string, string | undefined>) => Promise<JavaVersionOutput>;

export interface CheckJavaOptions {
  javaHome?: string | undefined;
  /** The caller's environment (process.env): on Windows the variables a JVM needs are kept from it. */
  env?: Record<string, string | undefined>;
  /** The PATH to search (the caller passes process.env.PATH). */
  pathEnv?: string | undefined;
  /** Windows PATHEXT (default .COM;.EXE;.BAT;.CMD). */
  pathExt?: string | undefined;
  platform?: Platform;
  run?: JavaRunner;
  timeoutMs?: number;
}

export interface JavaInfo {
  /** The program that was run (absolute when found through JAVA_HOME or PATH). */
  javaPath: string;
  /** The quoted version string, e.g. "17.0.15" or "1.8.0_381". */
  version: string;
  major: number;
  /** First line of the output, e.g. `openjdk version "17.0.15" 2025-04-15`. */
  description: string;
  /** Directory to put first on the transactor's PATH (JAVA_HOME/bin) so bin/transactor finds it. */
  binDir: string | null;
}

/** Parses `java -version` output (stderr). Returns null when no version is found. */
export function parseJavaVersion(output: string): { version: string; major: number; description: string } | null {
  const m = /version\s+"([^"]+)"/.exec(output);
  const line = output.split(/\r?\n/).find((l) => l.trim().length > 0)?.trim() ?? '';
  let version: string | undefined = m?.[1];
  if (!version) {
    // Some builds print `openjdk 21.0.1 2023-10-17` (java --version style).
    const m2 = /^(?:openjdk|java)\s+(\d[\w.+-]*)/m.exec(output);
    version = m2?.[1];
  }
  if (!version) return null;
  const parts = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!parts) return null;
  const first = Number(parts[1]);
  const major = first === 1 && parts[2] !== undefined ? Number(parts[2]) : first;
  return { version, major, description: line };
}

export function javaFixHint(platform: Platform, problem: 'missing' | 'old'): string {
  const need = problem === 'old' ? 'Datomic Pro needs Java 11 or newer (17 or 21 recommended).' : 'Datomic Pro needs Java 11 or newer (17 or 21 recommended) on the PATH.';
  if (platform === 'win32') {
    return `${need} Install a JDK (e.g. \`winget install EclipseAdoptium.Temurin.21.JDK\`), then set JAVA_HOME to it (\`setx JAVA_HOME "C:\\Program Files\\Eclipse Adoptium\\jdk-21..."\`) and add %JAVA_HOME%\\bin to PATH, or pass --java-home.`;
  }
  if (platform === 'darwin') {
    return `${need} Install one (e.g. \`brew install openjdk@21\`), then \`export JAVA_HOME=$(/usr/libexec/java_home -v 21)\` and \`export PATH="$JAVA_HOME/bin:$PATH"\`, or pass --java-home.`;
  }
  return `${need} Install one (e.g. \`sudo apt install openjdk-17-jre-headless\`), or \`export JAVA_HOME=/path/to/jdk\` and \`export PATH="$JAVA_HOME/bin:$PATH"\`, or pass --java-home.`;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** Finds a program on a PATH string (like `which`), platform-aware. Returns null when not found. */
export async function whichOnPath(name: string, pathEnv: string | undefined, platform: Platform, pathExt?: string): Promise<string | null> {
  if (!pathEnv) return null;
  // Real files on this machine: the host's path module; `platform` picks separator and extensions.
  const p = path;
  const sep = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? (pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of pathEnv.split(sep)) {
    if (!dir) continue;
    const d = dir.replace(/^"(.*)"$/, '$1');
    for (const ext of exts) {
      const candidate = p.join(d, name + ext);
      if (await isFile(candidate)) return candidate;
      if (platform === 'win32' && (await isFile(p.join(d, name + ext.toLowerCase())))) return p.join(d, name + ext.toLowerCase());
    }
  }
  return null;
}

/**
 * Windows variables a JVM (and cmd.exe) cannot do without: SystemRoot/windir (Winsock loads its
 * providers through %SystemRoot%: without it every socket fails, "Unrecognized Windows Sockets
 * error: 10106"), TEMP/TMP (java.io.tmpdir), the profile folders, ComSpec/PATHEXT (cmd.exe), the
 * program folders, and the machine/user names some libraries read.
 */
export const WINDOWS_JVM_ENV = [
  'SystemRoot', 'windir', 'SystemDrive', 'TEMP', 'TMP', 'USERPROFILE', 'LOCALAPPDATA', 'APPDATA', 'HOMEDRIVE', 'HOMEPATH',
  'ComSpec', 'PATHEXT', 'ProgramData', 'ProgramFiles', 'ProgramFiles(x86)', 'ProgramW6432', 'CommonProgramFiles',
  'CommonProgramFiles(x86)', 'CommonProgramW6432', 'ALLUSERSPROFILE', 'PUBLIC', 'USERNAME', 'USERDOMAIN', 'COMPUTERNAME',
  'PROCESSOR_ARCHITECTURE', 'PROCESSOR_IDENTIFIER', 'NUMBER_OF_PROCESSORS', 'OS',
];

/**
 * The environment `java -version` runs with: PATH and JAVA_HOME, plus on Windows the variables in
 * WINDOWS_JVM_ENV (names matched case-insensitively, kept as spelled). Nothing else: no secrets
 * (PGPASSWORD, DTX_PG_URL) and no JAVA_TOOL_OPTIONS that could break the check.
 */
export function javaEnv(opts: { env: Record<string, string | undefined>; platform: Platform; pathEnv: string | undefined; javaHome?: string | undefined }): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (opts.platform === 'win32') {
    const wanted = new Set(WINDOWS_JVM_ENV.map((k) => k.toUpperCase()));
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined && wanted.has(k.toUpperCase())) out[k] = v;
  }
  out.PATH = opts.pathEnv;
  if (opts.javaHome) out.JAVA_HOME = opts.javaHome;
  return out;
}

export const defaultJavaRunner: JavaRunner = (javaPath, args, env) =>
  new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let done = false;
    const child = spawn(javaPath, args, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      resolve({ code: null, stdout, stderr, error: e.code ?? e.message });
    });
    child.on('close', (code) => {
      if (done) return;
      done = true;
      resolve({ code, stdout, stderr });
    });
  });

/**
 * Checks Java. Errors: JAVA_NOT_FOUND (exit 2; hint names the JAVA_HOME/PATH fix for the platform),
 * JAVA_TOO_OLD (exit 2), JAVA_FAILED (exit 1: it ran but printed no version).
 */
export async function checkJava(opts: CheckJavaOptions = {}): Promise<JavaInfo> {
  const platform = opts.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const exe = platform === 'win32' ? 'java.exe' : 'java';
  const run = opts.run ?? defaultJavaRunner;
  let javaPath: string;
  let binDir: string | null = null;
  if (opts.javaHome) {
    binDir = p.join(opts.javaHome, 'bin');
    javaPath = p.join(binDir, exe);
    if (!opts.run && !(await isFile(javaPath))) {
      throw new DtxError({
        code: 'JAVA_NOT_FOUND',
        message: `the Java home ${opts.javaHome} (--java-home / JAVA_HOME) holds no java: ${javaPath} not found`,
        hint: javaFixHint(platform, 'missing'),
        exitCode: ExitCode.usage,
      });
    }
  } else {
    const found = opts.run ? 'java' : await whichOnPath('java', opts.pathEnv, platform, opts.pathExt);
    if (!found) {
      throw new DtxError({
        code: 'JAVA_NOT_FOUND',
        message: 'java was not found on the PATH',
        hint: javaFixHint(platform, 'missing'),
        exitCode: ExitCode.usage,
      });
    }
    javaPath = found;
  }
  const env = javaEnv({ env: opts.env ?? {}, platform, pathEnv: opts.pathEnv, javaHome: opts.javaHome });
  const out = await run(javaPath, ['-version'], env);
  if (out.error) {
    throw new DtxError({
      code: 'JAVA_NOT_FOUND',
      message: `cannot run ${javaPath}: ${out.error}`,
      hint: javaFixHint(platform, 'missing'),
      exitCode: ExitCode.usage,
    });
  }
  const parsed = parseJavaVersion(`${out.stderr}\n${out.stdout}`);
  if (!parsed) {
    throw new DtxError({
      code: 'JAVA_FAILED',
      message: `\`${javaPath} -version\` printed no version (exit ${out.code ?? '?'}): ${(out.stderr || out.stdout).trim().slice(0, 300)}`,
      hint: javaFixHint(platform, 'missing'),
      exitCode: ExitCode.failed,
    });
  }
  if (parsed.major < MIN_JAVA_MAJOR) {
    throw new DtxError({
      code: 'JAVA_TOO_OLD',
      message: `Java ${parsed.version} at ${javaPath} is too old: Datomic Pro needs Java ${MIN_JAVA_MAJOR} or newer`,
      hint: javaFixHint(platform, 'old'),
      exitCode: ExitCode.usage,
      details: { version: parsed.version, major: parsed.major },
    });
  }
  return { javaPath, version: parsed.version, major: parsed.major, description: parsed.description, binDir };
}
