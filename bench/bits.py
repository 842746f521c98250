#!/usr/bin/env python3
"""redis-benchmark of the bitmap commands against a real redis-server and seedis in the
same run, pinned as bench/compare.py pins them (each server on CPU 0, the benchmark on
CPU 1), each test on both servers back to back, the order alternating per round.

    python3 bench/bits.py [--rounds 3] [--requests 200000] [--pipeline 16]

redis-benchmark substitutes `__rand_int__` with a zero-padded number
(000000123456), which both servers reject as a bit offset (string2ll takes no leading
zeros), so `setbit bk __rand_int__ 1` measures an error path and redis-benchmark stops
at the first error. Random offsets are therefore set up front instead: each round
starts from an empty keyspace and sets 20,000 seeded random bits below 1,000,000 in
`bk` (about 122 KiB), the same on both servers. Then:

- SETBIT bk 999999 1        (in place on the 122 KiB string: a copy per call would show);
- SETBIT bk:__rand_int__ 7 1  (-r 100000: new one-byte strings, then hits);
- GETBIT bk 999999;
- BITCOUNT bk               (the whole string);
- BITCOUNT bk 0 -1 BIT      (the same through the bit-range path);
- BITPOS bk 0               (first clear bit);
- BITFIELD bk INCRBY u8 800000 1  (a write on every call, in place).

Prints a Markdown table of medians over the rounds and the seedis/redis ratio. Needs
target/release/seedis-server. A benchmark, not a test: it asserts nothing.
"""
import argparse, os, random, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import KINDS, call, free_port, resp, start  # noqa: E402

TESTS = [
    ("SETBIT bk 999999 1", ["setbit", "bk", "999999", "1"], False),
    ("SETBIT bk:rand 7 1", ["setbit", "bk:__rand_int__", "7", "1"], True),
    ("GETBIT", ["getbit", "bk", "999999"], False),
    ("BITCOUNT", ["bitcount", "bk"], False),
    ("BITCOUNT 0 -1 BIT", ["bitcount", "bk", "0", "-1", "BIT"], False),
    ("BITPOS bk 0", ["bitpos", "bk", "0"], False),
    ("BITFIELD INCRBY", ["bitfield", "bk", "incrby", "u8", "800000", "1"], False),
]
SETUP_BITS = 20_000


def setup(port):
    """An empty keyspace, then SETUP_BITS seeded random bits in `bk`."""
    rng = random.Random(7)
    commands = [resp("FLUSHALL")]
    commands += [resp("SETBIT", "bk", rng.randrange(1_000_000), 1) for _ in range(SETUP_BITS)]
    call(port, commands)


def bench(port, argv, random, requests, pipeline):
    args = ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(requests),
            "-P", str(pipeline), "-q"]
    if random:
        args += ["-r", "100000"]
    out = subprocess.run(args + argv, capture_output=True, text=True, check=True).stdout
    for line in re.split(r"[\r\n]", out):
        m = re.search(r": ([\d.]+) requests per second", line)
        if m:
            return float(m.group(1))
    sys.exit(f"no result from {' '.join(args + argv)}:\n{out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--pipeline", type=int, default=16)
    args = ap.parse_args()
    ports = {kind: free_port() for kind in KINDS}
    procs = {kind: start(kind, ports[kind]) for kind in KINDS}
    results = {(name, kind): [] for name, _, _ in TESTS for kind in KINDS}
    try:
        for rnd in range(args.rounds):
            order = KINDS if rnd % 2 == 0 else KINDS[::-1]
            for kind in order:
                setup(ports[kind])
                for name, argv, random in TESTS:
                    results[(name, kind)].append(
                        bench(ports[kind], argv, random, args.requests, args.pipeline))
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()
    print(f"| test (-n {args.requests} -P {args.pipeline}, {args.rounds} rounds, median) "
          "| redis req/s | seedis req/s | seedis/redis |")
    print("|---|---:|---:|---:|")
    for name, _, _ in TESTS:
        r = statistics.median(results[(name, "redis")])
        s = statistics.median(results[(name, "seedis")])
        print(f"| {name} | {r:,.0f} | {s:,.0f} | {s / r:.2f} |")


if __name__ == "__main__":
    main()
