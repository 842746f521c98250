#!/usr/bin/env python3
"""redis-benchmark against a real redis-server and seedis on the same machine, in the
same run: both servers are up at once, each pinned to CPU 0, the benchmark to CPU 1
(taskset), and every cell of the matrix is measured on both servers back to back, the
order alternating from round to round, so that noise from other work on the machine
falls on both alike. Compare the ratios, not the absolute numbers.

    python3 bench/compare.py [--rounds 3] [--quick] [--sizes 3,16384] [--tests set,get]
                             [--pipelines 1,16] [--clients 50,1000] [--seconds 1.0]

The matrix: value sizes 3 B, 1 KiB, 4 KiB, 16 KiB, 32 KiB, 64 KiB, 1 MiB; pipeline 1 and
16; 50 and 1,000 clients; SET, GET, MSET (10 keys), LPUSH, HSET, LRANGE (the first 100
elements of a list of 100). `--quick` is a subset (3 B, 16 KiB, 1 MiB; 50 clients; SET,
GET, LRANGE; one round unless --rounds is given).

Each cell sends a number of requests sized to take about `--seconds` on this machine
(from the request's size), and is skipped when its requests and replies in flight at
once (clients x pipeline x bytes per request or reply) would pass `--max-in-flight`
(default 2 GiB): 1,000 clients pipelining 16 SETs of 1 MiB each would be 16 GiB.
GET reads a key set beforehand; LRANGE reads a list of 100 values pushed beforehand;
every cell starts from an empty keyspace (FLUSHALL).

Prints a Markdown table of medians over the rounds and the seedis/redis ratio. A
benchmark, not a test: it asserts nothing.
"""
import argparse, re, socket, statistics, subprocess, sys

from common import ROOT, cpu_seconds, resp, start_server

KINDS = ["redis", "seedis"]
ALL_SIZES = [3, 1024, 4096, 16384, 32768, 65536, 1048576]
ALL_TESTS = ["set", "get", "mset", "lpush", "hset", "lrange"]
QUICK_SIZES = [3, 16384, 1048576]
QUICK_TESTS = ["set", "get", "lrange"]
LRANGE_LEN = 100
# Bytes per second one cell moves, roughly, on this machine: sizes the request counts.
BYTES_PER_SECOND = 1.5e9
REQUESTS_PER_SECOND = {1: 100_000, 16: 1_000_000}


def call(port, commands):
    """Sends the commands pipelined and waits for as many one-line replies (+OK, :n)."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"".join(commands))
        buf, lines = b"", 0
        while lines < len(commands):
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("server closed the connection during setup")
            buf += chunk
            lines = buf.count(b"\r\n")
        if b"-" in [line[:1] for line in buf.split(b"\r\n")]:
            sys.exit(f"setup failed: {buf[:200]!r}")


def prepare(port, test, size):
    value = b"x" * size
    commands = [resp("FLUSHALL")]
    if test == "get":
        commands.append(resp("SET", "key:__rand_int__", value))
    elif test == "lrange":
        commands += [resp("RPUSH", "mylist", value) for _ in range(LRANGE_LEN)]
    call(port, commands)


def wire_bytes(test, size):
    """Bytes of one request or its reply, whichever is bigger: what one in-flight slot holds."""
    return {"mset": 10 * size, "lrange": LRANGE_LEN * size}.get(test, size) + 40


def requests_for(test, size, pipeline, clients, seconds):
    n = min(REQUESTS_PER_SECOND[pipeline], BYTES_PER_SECOND / wire_bytes(test, size)) * seconds
    # At least two full rounds of every client's pipeline.
    return int(max(n, 2 * clients * pipeline))


def bench(port, test, size, pipeline, clients, requests):
    args = ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(requests),
            "-c", str(clients), "-P", str(pipeline), "-d", str(size), "-q"]
    if test == "lrange":
        args += ["LRANGE", "mylist", "0", str(LRANGE_LEN - 1)]
    else:
        args += ["-t", test]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    for line in re.split(r"[\r\n]", out):
        m = re.match(r"\s*([^:]+): ([\d.]+) requests per second", line)
        if m:
            return float(m.group(2))
    sys.exit(f"no result from {' '.join(args)}:\n{out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", help="comma-separated value sizes in bytes")
    ap.add_argument("--tests", help="comma-separated, of " + ",".join(ALL_TESTS))
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--clients", help="comma-separated client counts (default 50,1000)")
    ap.add_argument("--seconds", type=float, default=1.0, help="rough length of one cell")
    ap.add_argument("--max-in-flight", type=float, default=2 * 2**30)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    ints = lambda text: [int(x) for x in text.split(",")]
    sizes = ints(args.sizes) if args.sizes else QUICK_SIZES if args.quick else ALL_SIZES
    tests = args.tests.split(",") if args.tests else QUICK_TESTS if args.quick else ALL_TESTS
    pipelines = ints(args.pipelines)
    clients_list = ints(args.clients) if args.clients else [50] if args.quick else [50, 1000]
    rounds = args.rounds or (1 if args.quick else 3)
    for t in tests:
        if t not in ALL_TESTS:
            sys.exit(f"unknown test {t}")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bin", "seedis-server"], cwd=ROOT,
                       check=True)

    cells, skipped = [], []
    for clients in clients_list:
        for pipeline in pipelines:
            for size in sizes:
                for test in tests:
                    in_flight = clients * pipeline * wire_bytes(test, size)
                    if in_flight > args.max_in_flight:
                        skipped.append((test, size, pipeline, clients, in_flight))
                    else:
                        cells.append((test, size, pipeline, clients))

    servers = {kind: start_server(kind) for kind in KINDS}
    ports = {kind: servers[kind].port for kind in KINDS}
    samples, cpu_samples = {}, {}
    try:
        for r in range(rounds):
            for i, (test, size, pipeline, clients) in enumerate(cells):
                n = requests_for(test, size, pipeline, clients, args.seconds)
                order = KINDS if (r + i) % 2 == 0 else KINDS[::-1]
                for kind in order:
                    prepare(ports[kind], test, size)
                    cpu = cpu_seconds(servers[kind].pid)
                    rps = bench(ports[kind], test, size, pipeline, clients, n)
                    cpu_us = (cpu_seconds(servers[kind].pid) - cpu) * 1e6 / n
                    samples.setdefault((kind, test, size, pipeline, clients), []).append(rps)
                    cpu_samples.setdefault((kind, test, size, pipeline, clients), []).append(cpu_us)
                call(ports["redis"], [resp("FLUSHALL")])
                call(ports["seedis"], [resp("FLUSHALL")])
                key = (test, size, pipeline, clients)
                ratio = samples[("seedis",) + key][-1] / samples[("redis",) + key][-1]
                print(f"round {r + 1}/{rounds} cell {i + 1}/{len(cells)}: {test.upper()} "
                      f"{human(size)} P{pipeline} c{clients} {ratio:.2f}", file=sys.stderr,
                      flush=True)
    finally:
        for server in servers.values():
            server.stop()
    print(file=sys.stderr)

    print(f"`python3 bench/compare.py {' '.join(sys.argv[1:])}`: medians of {rounds} "
          "round(s); requests/s, and the server's CPU time (user + system) per request; "
          "both servers on CPU 0, redis-benchmark on CPU 1")
    print()
    print("| test | value | pipeline | clients | redis-server 7.0.15 | seedis | seedis / redis "
          "| CPU µs/req redis | CPU µs/req seedis |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for test, size, pipeline, clients in cells:
        key = (test, size, pipeline, clients)
        r = statistics.median(samples[("redis",) + key])
        s = statistics.median(samples[("seedis",) + key])
        rc = statistics.median(cpu_samples[("redis",) + key])
        sc = statistics.median(cpu_samples[("seedis",) + key])
        ratios.append((s / r, test, size, pipeline, clients))
        print(f"| {test.upper()} | {human(size)} | {pipeline} | {clients} | {r:,.0f} | {s:,.0f} "
              f"| {s / r:.2f} | {rc:.2f} | {sc:.2f} |")
    print()
    if ratios:
        low = min(ratios)
        below = sum(1 for x in ratios if x[0] < 1.0)
        print(f"{len(ratios)} cells; lowest ratio {low[0]:.2f} ({low[1].upper()} {human(low[2])} "
              f"P{low[3]} c{low[4]}); {below} below 1.00")
    for test, size, pipeline, clients, in_flight in skipped:
        print(f"skipped {test.upper()} {human(size)} P{pipeline} c{clients}: "
              f"{in_flight / 2**30:.1f} GiB in flight")


def human(size):
    for unit, n in (("MiB", 2**20), ("KiB", 2**10)):
        if size >= n and size % n == 0:
            return f"{size // n} {unit}"
    return f"{size} B"


if __name__ == "__main__":
    main()
