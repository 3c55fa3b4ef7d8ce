/**
 * The doctor's properties check (src/core/doctor/checks/properties.ts): the fix it prints for a
 * properties file that others may read is a shell command that works as printed, whatever the path.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkProperties } from '../../src/core/doctor/checks/properties.js';

const properties = 'protocol=sql\nhost=127.0.0.1\nport=4334\nmemory-index-threshold=32m\nmemory-index-max=256m\nobject-cache-max=128m\n'
  + 'sql-url=jdbc:postgresql://127.0.0.1:5432/datomic\nsql-user=datomic\nsql-password=Doc-Props-pw-1\nsql-driver-class=org.postgresql.Driver\n';

describe.skipIf(process.platform === 'win32')('doctor properties check: the chmod fix', () => {
  for (const dirName of ["it's mine", 'plain', 'with space $HOME `x`']) {
    it(`runs as printed for a file under ${JSON.stringify(dirName)}`, async () => {
      const dir = path.join(await mkdtemp(path.join(tmpdir(), 'dtx-doc-props-')), dirName);
      await mkdir(dir);
      const file = path.join(dir, 'open.properties');
      await writeFile(file, properties);
      await chmod(file, 0o644);
      const { result } = await checkProperties({ file, generated: {} as never, configured: { host: '127.0.0.1', port: 5432, database: 'datomic' }, platform: process.platform });
      expect(result.status).toBe('warn');
      expect(result.fix).toMatch(/^chmod 600 /);
      const r = spawnSync('sh', ['-c', result.fix as string], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });
  }
});
