/** Doctor checks of what runs Datomic: Node (for dtx), the distribution, Java, the JDBC driver. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { findDistribution, INSTALL_DISTRIBUTION_HINT, type Distribution, type Platform } from '../../datomic/distribution.js';
import { checkJava, javaFixHint, MIN_JAVA_MAJOR, type JavaInfo } from '../../datomic/java.js';
import { javaRequirement, type JavaRequirement } from '../../datomic/class-version.js';
import { fail, fromError, pass, skipped, warn, type CheckResult } from '../types.js';

export const MIN_NODE_MAJOR = 20;

export function checkNode(version: string): CheckResult {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
  if (major >= MIN_NODE_MAJOR) return pass('node', `Node.js ${version.replace(/^v?/, 'v')} (dtx needs ${MIN_NODE_MAJOR} or newer)`);
  return fail('node', `Node.js ${version.replace(/^v?/, 'v')} is too old: dtx needs ${MIN_NODE_MAJOR} or newer`, `Install Node.js ${MIN_NODE_MAJOR} or newer (https://nodejs.org/, or your package manager / nvm), then reinstall dtx.`);
}

export interface DistributionOutcome {
  result: CheckResult;
  dist: Distribution | null;
}

/** `source` says where the folder came from, e.g. "--datomic-home" or "the last transactor start". */
export async function checkDistribution(datomicHome: string | undefined, source: string, platform: Platform): Promise<DistributionOutcome> {
  if (!datomicHome) {
    return {
      dist: null,
      result: warn(
        'distribution',
        'no Datomic Pro distribution configured (needed to run the transactor and the db commands that go through the peer)',
        INSTALL_DISTRIBUTION_HINT,
      ),
    };
  }
  try {
    const dist = await findDistribution({ datomicHome, platform });
    return { dist, result: pass('distribution', `Datomic Pro ${dist.version ?? '(version unknown: no versioned jar names)'} at ${dist.home} (from ${source})`) };
  } catch (e) {
    return { dist: null, result: fromError('distribution', e) };
  }
}

/** The Datomic jars in the install root: what the transactor and peer themselves are made of. */
async function datomicJars(dist: Distribution): Promise<string[]> {
  const names = await readdir(dist.home).catch(() => [] as string[]);
  return names.filter((n) => /^(datomic-transactor-pro|peer|datomic-pro)-\d[\w.-]*\.jar$/.test(n)).map((n) => path.join(dist.home, n));
}

/** What the distribution needs: the class-file versions of its Datomic jars, at least Java 11. */
export async function distributionJavaRequirement(dist: Distribution | null): Promise<JavaRequirement> {
  if (!dist) return { major: MIN_JAVA_MAJOR, source: "Datomic Pro's minimum", jarsRead: 0, classesRead: 0 };
  return javaRequirement(await datomicJars(dist), MIN_JAVA_MAJOR, (f) => path.basename(f));
}

export interface JavaCheckOptions {
  javaHome: string | undefined;
  env: Record<string, string | undefined>;
  pathEnv: string | undefined;
  pathExt: string | undefined;
  platform: Platform;
  dist: Distribution | null;
  /** injectable for tests */
  check?: () => Promise<JavaInfo>;
}

export async function checkJavaRuntime(o: JavaCheckOptions): Promise<{ result: CheckResult; java: JavaInfo | null }> {
  const need = await distributionJavaRequirement(o.dist);
  let java: JavaInfo;
  try {
    java = o.check ? await o.check() : await checkJava({ javaHome: o.javaHome, env: o.env, pathEnv: o.pathEnv, pathExt: o.pathExt, platform: o.platform });
  } catch (e) {
    return { java: null, result: fromError('java', e) };
  }
  const what = `Java ${java.version} at ${java.javaPath}`;
  if (java.major < need.major) {
    return {
      java,
      result: fail('java', `${what} is too old for this distribution: it needs Java ${need.major} or newer (${need.source})`, javaFixHint(o.platform, 'old').replace(/Java 11 or newer/, `Java ${need.major} or newer`)),
    };
  }
  return { java, result: pass('java', `${what}; the distribution needs Java ${need.major} or newer (${need.source})`) };
}

/** pgjdbc's version from its jar name: postgresql-42.7.3.jar, postgresql-42.2.5.jre7.jar, postgresql-9.3-1102-jdbc41.jar. */
export function parseJdbcJarName(name: string): { version: string; parts: number[]; jreVariant: string | null } | null {
  const m = /^postgresql-(\d+(?:\.\d+)*)((?:[-.][\w]+)*)\.jar$/i.exec(name);
  if (!m?.[1]) return null;
  const jre = /\.(jre\d+)$/i.exec(m[2] ?? '')?.[1] ?? null;
  return { version: m[1] + (m[2] ?? ''), parts: m[1].split('.').map(Number), jreVariant: jre };
}

/** SCRAM-SHA-256 (what dtx sets every role's password as) needs pgjdbc 42.2.0 or newer, not a .jre6/.jre7 build. */
function supportsScram(v: { parts: number[]; jreVariant: string | null }): boolean {
  const [a = 0, b = 0] = v.parts;
  if (v.jreVariant && /^jre[67]$/i.test(v.jreVariant)) return false;
  return a > 42 || (a === 42 && b >= 2);
}

export async function checkJdbcDriver(dist: Distribution | null): Promise<CheckResult> {
  if (!dist) return skipped('jdbc-driver', 'no valid Datomic distribution to look in (see the distribution check)');
  const lib = path.join(dist.home, 'lib');
  const names = (await readdir(lib).catch(() => [] as string[])).filter((n) => /^postgresql-.*\.jar$/i.test(n)).sort();
  if (names.length === 0) {
    return fail(
      'jdbc-driver',
      `no PostgreSQL JDBC driver (postgresql-*.jar) in ${lib}: the transactor and peers cannot reach PostgreSQL storage`,
      `Datomic Pro ships it in lib/: unzip the distribution again, or download the driver (https://jdbc.postgresql.org/download/, 42.2.0 or newer) into ${lib}.`,
    );
  }
  const parsed = names.map((n) => ({ name: n, v: parseJdbcJarName(n) }));
  const old = parsed.filter((p) => p.v && !supportsScram(p.v));
  if (old.length === parsed.length) {
    return fail(
      'jdbc-driver',
      `${names.join(', ')} in lib/ cannot log in with SCRAM-SHA-256 passwords (pgjdbc 42.2.0 or newer, not a .jre6/.jre7 build, is needed; dtx stores every role's password as SCRAM)`,
      `Replace it with a current driver (https://jdbc.postgresql.org/download/) in ${lib}.`,
    );
  }
  if (names.length > 1) {
    return warn('jdbc-driver', `several PostgreSQL JDBC drivers in lib/: ${names.join(', ')}; which one the JVM loads depends on the classpath order`, `Keep one (the newest) in ${lib}.`);
  }
  return pass('jdbc-driver', `lib/${names[0]}`);
}
