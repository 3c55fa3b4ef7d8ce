/**
 * Who holds a port (src/core/port-holder.ts): /proc/net/tcp{,6} parsing on fixed text, the holder
 * found through a /proc tree built here (fd links are plain symlinks to "socket:[inode]"), and for
 * real on Linux: a port this test process listens on is found with this process's pid.
 */
import { describe, it, expect } from 'vitest';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findPortHolders, parseProcNetTcp } from '../../src/core/port-holder.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:10EE 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000:270F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0
   2: 0100007F:D888 0100007F:10EE 01 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:10EE 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4545 1 0000000000000000 100 0 0 10 0
`;

describe('/proc/net/tcp parsing', () => {
  it('LISTEN sockets only, with address, port, uid and inode', () => {
    expect(parseProcNetTcp(TCP, false)).toEqual([
      { address: '127.0.0.1', port: 4334, uid: 1000, inode: 4242 },
      { address: '0.0.0.0', port: 9999, uid: 0, inode: 4343 },
    ]);
    expect(parseProcNetTcp(TCP6, true)).toEqual([
      { address: '::1', port: 4334, uid: 1000, inode: 4444 },
      { address: '::ffff:127.0.0.1', port: 8080, uid: 0, inode: 4545 },
    ]);
  });
});

describe('port holders', () => {
  it('through a /proc tree: the pid whose fd links to the socket inode, and its command line', async () => {
    const proc = await mkdtemp(path.join(tmpdir(), 'dtx-proc-'));
    await mkdir(path.join(proc, 'net'));
    await writeFile(path.join(proc, 'net', 'tcp'), TCP);
    await writeFile(path.join(proc, 'net', 'tcp6'), TCP6);
    for (const [pid, inode, cmd] of [[100, 9, 'bash'], [200, 4242, 'java\0-server\0clojure.main\0--main\0datomic.launcher\0/p.properties\0'], [300, 4444, '']] as const) {
      await mkdir(path.join(proc, String(pid), 'fd'), { recursive: true });
      await symlink(`socket:[${inode}]`, path.join(proc, String(pid), 'fd', '3'));
      await symlink('/dev/null', path.join(proc, String(pid), 'fd', '0'));
      await writeFile(path.join(proc, String(pid), 'cmdline'), cmd);
      await writeFile(path.join(proc, String(pid), 'comm'), 'thecomm\n');
    }
    const h = await findPortHolders(4334, { procRoot: proc, platform: 'linux' });
    expect(h).toEqual([
      { address: '127.0.0.1', port: 4334, uid: 1000, pid: 200, command: 'java -server clojure.main --main datomic.launcher /p.properties' },
      { address: '::1', port: 4334, uid: 1000, pid: 300, command: 'thecomm' },
    ]);
    // a listener whose process is not visible (another user's): pid null
    expect(await findPortHolders(9999, { procRoot: proc, platform: 'linux' })).toEqual([{ address: '0.0.0.0', port: 9999, uid: 0, pid: null, command: null }]);
    expect(await findPortHolders(1, { procRoot: proc, platform: 'linux' })).toEqual([]);
  });

  it('no /proc (macOS, Windows) or an unreadable one: null ("in use", holder unknown)', async () => {
    expect(await findPortHolders(4334, { platform: 'darwin' })).toBeNull();
    expect(await findPortHolders(4334, { platform: 'win32' })).toBeNull();
    expect(await findPortHolders(4334, { platform: 'linux', procRoot: path.join(tmpdir(), 'no-such-proc-dir') })).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('for real: a port this process listens on is held by this pid', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const h = await findPortHolders(port);
      expect(h).toEqual([expect.objectContaining({ address: '127.0.0.1', port, pid: process.pid })]);
      expect(h?.[0]?.command).toContain('node');
    } finally {
      srv.close();
    }
  });
});
