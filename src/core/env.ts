/**
 * Reading environment variables the way the platform names them: on Windows names are
 * case-insensitive (PATH is often spelled "Path"), elsewhere exact. For environments passed around
 * as plain objects, which lose the case-insensitivity of Windows' process.env.
 */
export type EnvVars = Readonly<Record<string, string | undefined>>;

export function envGet(env: EnvVars, key: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[key];
  const want = key.toUpperCase();
  const k = Object.keys(env).find((x) => x.toUpperCase() === want);
  return k === undefined ? undefined : env[k];
}
