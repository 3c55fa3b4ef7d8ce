#!/usr/bin/env python3
"""Run one command on a pseudo-terminal of a given size and report what the screen received.

Used by test/helpers/pty.ts (named so that `import pty` finds the standard module) (no native Node dependency). Input: one JSON argument
  {"cmd": [...], "cwd": "...", "env": {...}, "cols": 80, "rows": 40, "timeoutMs": 60000,
   "steps": [{"waitFor": "<regex>", "send": "<text>"}]}
Each step waits until its regex matches the output received since the previous step, then
writes `send` to the terminal (as typed keys). Output: one JSON line on stdout,
  {"code": <exit code, or null>, "signal": <the signal's name that ended it, or null>,
   "output": "<everything written to the terminal>", "timedOut": bool}
"""
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

spec = json.loads(sys.argv[1])
cols, rows = int(spec.get("cols", 80)), int(spec.get("rows", 40))
steps = list(spec.get("steps", []))
deadline = time.monotonic() + spec.get("timeoutMs", 60000) / 1000.0

pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.chdir(spec.get("cwd") or os.getcwd())
    env = spec.get("env") or dict(os.environ)
    os.execvpe(spec["cmd"][0], spec["cmd"], env)

out = b""
mark = 0
status = None
timed_out = False
while True:
    if steps:
        m = re.search(steps[0]["waitFor"], out[mark:].decode("utf-8", "replace"))
        if m:
            os.write(fd, steps[0]["send"].encode("utf-8"))
            mark = len(out)
            steps.pop(0)
            continue
    if time.monotonic() > deadline:
        timed_out = True
        os.kill(pid, signal.SIGKILL)
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        out += chunk
    elif status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            # drain what is left, then stop
            while True:
                r, _, _ = select.select([fd], [], [], 0.1)
                if not r:
                    break
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                out += chunk
            break
if status is None:
    _, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sig = signal.Signals(-code).name if code < 0 else None
print(json.dumps({"code": None if sig else code, "signal": sig, "output": out.decode("utf-8", "replace"), "timedOut": timed_out}))
