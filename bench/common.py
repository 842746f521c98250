"""What every benchmark script here shares: starting redis-server and seedis-server the
same way (pinned to a CPU, persistence off, each in its own temporary directory so a
save point or a dump.rdb never lands in the checkout), encoding RESP, a small blocking
connection, and reading a process's RSS and CPU time from /proc.

Both servers get `--save "" --appendonly no`: seedis, like Redis, has save points by
default, and a BGSAVE fork in the middle of a measurement would skew both memory (copy
on write) and throughput.
"""
import os, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDIS = os.path.join(ROOT, "target/release/seedis-server")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def resp(*args):
    """One command as a RESP multibulk; arguments may be bytes, str or numbers."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A blocking client that reads simple, integer, error and bulk replies."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        if line[:1] == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        return line

    def call(self, *args):
        self.sock.sendall(resp(*args))
        return self.reply()

    def close(self):
        self.sock.close()


class Server:
    """A running redis-server or seedis-server; `stop()` kills it and removes its dir."""

    def __init__(self, proc, port, dirname):
        self.proc, self.port, self.dir = proc, port, dirname

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_server(kind, binary=None, cpu="0", port=None, extra=()):
    """Starts `kind` ("redis" or "seedis"; `binary` overrides the executable) pinned to
    `cpu` (None: not pinned) and waits until it answers PING."""
    port = port or free_port()
    binary = binary or ("redis-server" if kind == "redis" else SEEDIS)
    dirname = tempfile.mkdtemp(prefix=f"bench-{kind}-")
    argv = [binary, "--port", str(port), "--save", "", "--appendonly", "no",
            "--dir", dirname, *extra]
    if cpu is not None:
        argv = ["taskset", "-c", str(cpu)] + argv
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(proc, port, dirname)
    for _ in range(500):
        if proc.poll() is not None:
            server.stop()
            sys.exit(f"server exited: {' '.join(argv)}")
        try:
            conn = Conn(port)
            ok = conn.call("PING") == b"+PONG"
            conn.close()
            if ok:
                return server
        except OSError:
            pass
        time.sleep(0.02)
    server.stop()
    sys.exit(f"server did not start: {' '.join(argv)}")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid):
    """User + system CPU time the process used so far (/proc/PID/stat, clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
