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
import argparse, os, shutil, statistics, subprocess, time

from common import SEEDIS, Conn, start_server


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
    # Not pinned: the forked child saves on the other CPU, as it would in production.
    server = start_server(kind, binary=binary, cpu=None)
    port, workdir = server.port, server.dir
    try:
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
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--value-size", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seedis", default=SEEDIS)
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
