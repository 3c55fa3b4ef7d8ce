/** envGet (src/core/env.ts): Windows variable names are case-insensitive, other platforms' exact. */
import { describe, it, expect } from 'vitest';
import { envGet } from '../../src/core/env.js';

describe('envGet', () => {
  it('win32: any casing of the name (Path, path, PATHEXT as PathExt)', () => {
    expect(envGet({ Path: 'C:\\jdk\\bin;C:\\Windows' }, 'PATH', 'win32')).toBe('C:\\jdk\\bin;C:\\Windows');
    expect(envGet({ pAtH: 'C:\\x' }, 'PATH', 'win32')).toBe('C:\\x');
    expect(envGet({ PathExt: '.EXE;.CMD' }, 'PATHEXT', 'win32')).toBe('.EXE;.CMD');
    expect(envGet({ HOME: 'C:\\u' }, 'PATH', 'win32')).toBeUndefined();
  });

  it('elsewhere: the exact name only', () => {
    expect(envGet({ PATH: '/usr/bin' }, 'PATH', 'linux')).toBe('/usr/bin');
    expect(envGet({ Path: '/usr/bin' }, 'PATH', 'linux')).toBeUndefined();
    expect(envGet({ Path: '/usr/bin' }, 'PATH', 'darwin')).toBeUndefined();
  });
});
