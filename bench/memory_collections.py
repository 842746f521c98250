#!/usr/bin/env python3
"""RSS growth for many small collections, redis-server 7.0.15 and seedis in the same run
(issue #16, compact encodings). For each row both servers start fresh (pinned to CPU 0;
this client runs on CPU 1), VmRSS is read from /proc before and after loading the keys
over one pipelined raw socket, and the growth is reported.

    python3 bench/memory_collections.py [--rounds 3] [--keys 100000] [--seedis PATH]

Prints a Markdown table of medians over the rounds and seedis / redis. A benchmark, not
a test: it asserts nothing.
"""
import argparse, os, socket, statistics, sys, time

from common import SEEDIS, resp, rss_kb, start_server


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
    server = start_server(kind, binary=seedis if kind == "seedis" else None)
    sock = socket.create_connection(("127.0.0.1", server.port))
    try:
        time.sleep(0.2)
        before = rss_kb(server.pid)
        load(sock, make, n)
        time.sleep(0.2)
        return (rss_kb(server.pid) - before) / 1024
    finally:
        sock.close()
        server.stop()


def main():
    os.sched_setaffinity(0, {1})
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("--seedis", default=SEEDIS)
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
