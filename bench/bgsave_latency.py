#!/usr/bin/env python3
"""The latency a client sees while the server saves in the background: a real
redis-server and seedis, each loaded with the same keys, each asked for a BGSAVE while
one client keeps sending GET and SET, one at a time, and timing every round trip.

    python3 bench/bgsave_latency.py [--keys 1000000] [--value-size 10] [--rounds 1]
                                    [--seedis target/release/seedis-server]

For each server: load `--keys` keys with redis-cli --pipe, measure the round trips for
one second before (the baseline), then send BGSAVE and keep measuring until INFO says
the save ended (rdb_bgsave_in_progress:0, polled on a second connection every 50 ms).
Prints, per server, the BGSAVE's duration, how many round trips ran during it, and the
median, p99 and worst round trip before and during it, with the BGSAVE command's own
round trip (which includes the fork) on its own line. Both servers run without save
points, each in a temp directory that is removed after. A benchmark: it asserts nothing.
"""
import argparse, os, shutil, socket, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
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
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        return line

    def call(self, *args):
        self.sock.sendall(command(*args))
        return self.reply()


def wait_ready(port, proc):
    for _ in range(500):
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            Conn(port).call("PING")
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not start")


def load_keys(port, keys, value_size):
    value = "v" * value_size
    payload = "".join(
        "*3\r\n$3\r\nSET\r\n$%d\r\nkey:%d\r\n$%d\r\n%s\r\n"
        % (len("key:%d" % i), i, value_size, value)
        for i in range(keys)
    ).encode()
    subprocess.run(
        ["redis-cli", "-p", str(port), "--pipe"],
        input=payload,
        stdout=subprocess.DEVNULL,
        check=True,
    )


def bgsave_in_progress(conn):
    info = conn.call("INFO", "persistence").decode()
    return "rdb_bgsave_in_progress:1" in info


def summary(samples):
    s = sorted(samples)
    if not s:
        return "n/a"
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))]
    return "median %.3f ms, p99 %.3f ms, max %.3f ms" % (
        statistics.median(s) * 1e3,
        p99 * 1e3,
        s[-1] * 1e3,
    )


def measure(kind, binary, keys, value_size):
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bgsave-bench-")
    args = [binary, "--port", str(port), "--save", "", "--dir", workdir,
            "--logfile", os.path.join(workdir, "log")]
    if kind == "redis":
        args += ["--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, proc)
        load_keys(port, keys, value_size)
        client, watcher = Conn(port), Conn(port)
        assert int(client.call("DBSIZE")[1:]) == keys
        i = 0

        def one_round_trip():
            nonlocal i
            i += 1
            start = time.perf_counter()
            if i % 2:
                client.call("GET", "key:%d" % (i % keys))
            else:
                client.call("SET", "key:%d" % (i % keys), "w" * value_size)
            return time.perf_counter() - start

        before = []
        end = time.perf_counter() + 1.0
        while time.perf_counter() < end:
            before.append(one_round_trip())
        start = time.perf_counter()
        reply = client.call("BGSAVE")
        bgsave_rtt = time.perf_counter() - start
        assert reply.startswith(b"+Background saving started"), reply
        during = []
        next_poll = time.perf_counter()
        while True:
            during.append(one_round_trip())
            if time.perf_counter() >= next_poll:
                if not bgsave_in_progress(watcher):
                    break
                next_poll = time.perf_counter() + 0.05
        duration = time.perf_counter() - start
        size = os.path.getsize(os.path.join(workdir, "dump.rdb"))
        return {
            "duration": duration,
            "bgsave": bgsave_rtt,
            "before": before,
            "during": during,
            "rdb": size,
        }
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--value-size", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seedis", default=os.path.join(ROOT, "target/release/seedis-server"))
    parser.add_argument("--redis", default=shutil.which("redis-server"))
    args = parser.parse_args()
    for r in range(args.rounds):
        order = [("redis", args.redis), ("seedis", args.seedis)]
        if r % 2:
            order.reverse()
        for kind, binary in order:
            m = measure(kind, binary, args.keys, args.value_size)
            print("%-6s round %d: %d keys, dump.rdb %d bytes, BGSAVE took %.2f s" % (
                kind, r + 1, args.keys, m["rdb"], m["duration"]))
            print("    BGSAVE command round trip (fork included): %.3f ms" % (m["bgsave"] * 1e3))
            print("    before: %6d round trips, %s" % (len(m["before"]), summary(m["before"])))
            print("    during: %6d round trips, %s" % (len(m["during"]), summary(m["during"])))


if __name__ == "__main__":
    main()
