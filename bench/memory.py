#!/usr/bin/env python3
"""Memory per key and latency while the keyspace grows: redis-server and seedis in the
same run, each server pinned to CPU 0, the loaders (redis-cli --pipe) and the PING
client on CPU 1.

    python3 bench/memory.py [--rounds 3] [--scale 1.0] [--latency-keys 4000000] [--seedis BIN]

Memory: for each case a fresh server, RSS (VmRSS of /proc/PID/status) before and after
loading it with `redis-cli --pipe`, one second after the load so that a rehash the cron
finishes is counted as done. Latency: a fresh server, a client on a raw socket sends one
PING at a time and times each round trip while `redis-cli --pipe` loads `--latency-keys`
`SET key:N value:NNNNNNNNNN`. Servers alternate within each round; the tables are
medians over rounds. `--scale` shrinks every case (0.1 for a quick look). A benchmark,
not a test: it asserts nothing.
"""
import argparse, os, socket, statistics, subprocess, sys, tempfile, time

import common
from common import ROOT, resp as cmd, rss_kb, start_server


# name, number of keys, the commands for key i
CASES = [
    ("1M small strings (SET key:N value:NNNNNNNNNN)", 1_000_000,
     lambda i: cmd("SET", f"key:{i}", f"value:{i:010d}")),
    ("1M integers (SET key:N N)", 1_000_000, lambda i: cmd("SET", f"key:{i}", i)),
    ("1M small strings with a TTL (SET key:N value:NNNNNNNNNN EX 100000)", 1_000_000,
     lambda i: cmd("SET", f"key:{i}", f"value:{i:010d}", "EX", 100000)),
    ("100k hashes of 5 small fields (HSET)", 100_000,
     lambda i: cmd("HSET", f"hash:{i}", *[x for j in range(5) for x in (f"f{j}", f"v{i + j}")])),
    ("100k sorted sets of 5 members (ZADD)", 100_000,
     lambda i: cmd("ZADD", f"zset:{i}", *[x for j in range(5) for x in (j, f"m{i + j}")])),
    ("100k lists of 5 items (RPUSH)", 100_000,
     lambda i: cmd("RPUSH", f"list:{i}", *[f"item{i + j}" for j in range(5)])),
    ("100k sets of 5 integers (SADD)", 100_000,
     lambda i: cmd("SADD", f"set:{i}", *[i + j for j in range(5)])),
]


def load(port, path):
    with open(path, "rb") as inp:
        return subprocess.Popen(["taskset", "-c", "1", "redis-cli", "-p", str(port), "--pipe"],
                                stdin=inp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def write_file(dirname, name, n, make):
    path = os.path.join(dirname, name)
    with open(path, "wb") as f:
        for i in range(n):
            f.write(make(i))
    return path


def memory_case(kind, path):
    server = start_server(kind)
    try:
        time.sleep(0.5)
        before = rss_kb(server.pid)
        if load(server.port, path).wait() != 0:
            sys.exit("redis-cli --pipe failed")
        time.sleep(1.0)
        return (rss_kb(server.pid) - before) * 1024
    finally:
        server.stop()


def latency_case(kind, path):
    server = start_server(kind)
    port = server.port
    try:
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        samples = []
        loader = load(port, path)
        while loader.poll() is None:
            t0 = time.perf_counter()
            s.sendall(b"PING\r\n")
            got = b""
            while not got.endswith(b"\r\n"):
                chunk = s.recv(64)
                if not chunk:
                    sys.exit("server closed the PING connection")
                got += chunk
            samples.append(time.perf_counter() - t0)
        s.close()
        samples.sort()
        pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000
        return {"p50": pick(0.5), "p99": pick(0.99), "p99.9": pick(0.999), "max": samples[-1] * 1000,
                "n": len(samples)}
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--latency-keys", type=int, default=4_000_000)
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--seedis", help="a seedis-server binary to use instead of building one")
    args = ap.parse_args()
    os.sched_setaffinity(0, {1})
    if args.seedis:
        # start_server reads common.SEEDIS at each call.
        common.SEEDIS = os.path.abspath(args.seedis)
    else:
        subprocess.run(["cargo", "build", "--release", "--bin", "seedis-server"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = [] if args.skip_memory else [
            (name, write_file(tmp, f"case{i}", int(n * args.scale), make))
            for i, (name, n, make) in enumerate(CASES)]
        lat_file = None if args.skip_latency else write_file(
            tmp, "latency", int(args.latency_keys * args.scale), CASES[0][2])
        mem, lat = {}, {}
        for r in range(args.rounds):
            order = ["redis", "seedis"] if r % 2 == 0 else ["seedis", "redis"]
            for name, path in files:
                for kind in order:
                    mem.setdefault((name, kind), []).append(memory_case(kind, path))
            if lat_file:
                for kind in order:
                    for q, v in latency_case(kind, lat_file).items():
                        lat.setdefault((q, kind), []).append(v)
    med = lambda xs: statistics.median(xs)
    print(f"medians of {args.rounds} rounds; servers on CPU 0, clients on CPU 1")
    if files:
        print()
        print("| RSS growth | redis-server 7.0.15 | seedis | seedis / redis |")
        print("|---|---|---|---|")
        for name, _ in files:
            r, s = med(mem[(name, "redis")]), med(mem[(name, "seedis")])
            print(f"| {name} | {r / 1e6:.1f} MB | {s / 1e6:.1f} MB | {s / r:.2f} |")
    if lat_file:
        n = int(args.latency_keys * args.scale)
        print()
        print(f"PING round trip while {n:,} keys load (ms; samples per run: "
              f"redis {int(med(lat[('n', 'redis')]))}, seedis {int(med(lat[('n', 'seedis')]))})")
        print()
        print("| PING latency | redis-server 7.0.15 | seedis | seedis / redis |")
        print("|---|---|---|---|")
        for q in ["p50", "p99", "p99.9", "max"]:
            r, s = med(lat[(q, "redis")]), med(lat[(q, "seedis")])
            print(f"| {q} | {r:.3f} | {s:.3f} | {s / r:.2f} |")


if __name__ == "__main__":
    main()
