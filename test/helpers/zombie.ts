/**
 * A real zombie process (Linux): a child that has exited but whose parent never reaps it, as a killed
 * transactor stays forever in a container whose init does not reap. `sh` starts the child in the
 * background, then execs `sleep`, which never calls wait(); the exited child stays in state Z.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface Zombie {
  /** The zombie's pid (state Z). */
  pid: number;
  /** Its non-reaping parent; kill it to let init reap the zombie. */
  parent: ChildProcess;
}

async function state(pid: number): Promise<string | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

export async function makeZombie(): Promise<Zombie> {
  const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 120'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    parent.once('error', reject);
  });
  for (let i = 0; i < 200; i++) {
    if ((await state(pid)) === 'Z') return { pid, parent };
    await new Promise((r) => setTimeout(r, 10));
  }
  parent.kill('SIGKILL');
  throw new Error(`pid ${pid} did not become a zombie (state ${await state(pid)})`);
}
