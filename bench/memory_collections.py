#!/usr/bin/env python3
"""RSS growth for many small collections, redis-server 7.0.15 and seedis in the same run
(issue #16, compact encodings). For each row both servers start fresh (pinned to CPU 0;
this client runs on CPU 1), VmRSS is read from /proc before and after loading the keys
over one pipelined raw socket, and the growth is reported.

    python3 bench/memory_collections.py [--rounds 3] [--keys 100000] [--seedis PATH]

Prints a Markdown table of medians over the rounds and seedis / redis. A benchmark, not
a test: it asserts nothing.
"""
import argparse, os, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


# Each workload: (name, function from key index to one command). Five small elements per
# key, as the rows say ("100 k hashes of 5 small fields" and friends), after a
# baseline of one small string per key.
WORKLOADS = [
    # Not a collection: what the keyspace alone costs per key, to read the rows below by.
    ("string `1` (keyspace alone)", lambda i: resp("SET", f"str:{i}", "1")),
    ("hash, 5 fields", lambda i: resp("HSET", f"hash:{i}", *[x for j in range(5) for x in (f"field{j}", f"value:{i * 5 + j}")])),
    ("zset, 5 members", lambda i: resp("ZADD", f"zset:{i}", *[x for j in range(5) for x in (j * 1.5, f"member:{i * 5 + j}")])),
    ("set, 5 integers", lambda i: resp("SADD", f"set:{i}", *[i * 5 + j for j in range(5)])),
    ("list, 5 items", lambda i: resp("RPUSH", f"list:{i}", *[f"item:{i * 5 + j}" for j in range(5)])),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(kind, port, seedis):
    if kind == "redis":
        cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    else:
        cmd = [seedis, "--port", str(port)]
    proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            return proc, socket.create_connection(("127.0.0.1", port))
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"server exited: {cmd}")
            time.sleep(0.05)
    sys.exit("server did not start")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def load(sock, make, n, batch=1000):
    """Sends n commands in pipelined batches and reads the n integer replies."""
    buf = b""
    for start in range(0, n, batch):
        end = min(n, start + batch)
        sock.sendall(b"".join(make(i) for i in range(start, end)))
        want = end - start
        while want:
            while b"\r\n" not in buf:
                buf += sock.recv(65536)
            line, buf = buf.split(b"\r\n", 1)
            if line[:1] not in (b":", b"+"):
                sys.exit(f"unexpected reply {line!r}")
            want -= 1


def measure(kind, make, n, seedis):
    port = free_port()
    proc, sock = start(kind, port, seedis)
    try:
        sock.sendall(resp("PING"))
        sock.recv(100)
        time.sleep(0.2)
        before = rss_kb(proc.pid)
        load(sock, make, n)
        time.sleep(0.2)
        return (rss_kb(proc.pid) - before) / 1024
    finally:
        sock.close()
        proc.terminate()
        proc.wait()


def main():
    os.sched_setaffinity(0, {1})
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("--seedis", default=os.path.join(ROOT, "target/release/seedis-server"))
    args = ap.parse_args()
    rows = []
    for name, make in WORKLOADS:
        samples = {"redis": [], "seedis": []}
        for _ in range(args.rounds):
            for kind in samples:
                samples[kind].append(measure(kind, make, args.keys, args.seedis))
        rows.append((name, statistics.median(samples["redis"]), statistics.median(samples["seedis"])))
    print(f"RSS growth (MiB), {args.keys:,} keys, medians of {args.rounds} rounds; servers on CPU 0, client on CPU 1")
    print()
    print("| keys | redis-server 7.0.15 | seedis | seedis / redis |")
    print("|---|---|---|---|")
    for name, r, s in rows:
        print(f"| {args.keys:,} × {name} | {r:.1f} | {s:.1f} | {s / r:.2f} |")


if __name__ == "__main__":
    main()
