#!/usr/bin/env python3
"""redis-benchmark PFADD and GEOADD against a real redis-server and seedis in the same run,
pinned as bench/compare.py pins them (servers on CPU 0, the benchmark on CPU 1), each cell
measured on both servers back to back, the order alternating from round to round.

    python3 bench/hll_geo.py [--rounds 3] [--requests 200000] [--pipelines 1,16] [--no-build]

PFADD: `pfadd hll __rand_int__` with -r 1000000 (one HLL key: sparse at first, then
dense, as in Redis). GEOADD: `geoadd geo 13.361389 38.115556 m:__rand_int__` with
-r 1000000 (one geo set growing to a skiplist). 50 clients. Prints a Markdown table of
medians and the seedis/redis ratio. A benchmark, not a test: it asserts nothing.
"""
import argparse, os, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (free_port, start, call, resp: the same servers and pinning)

TESTS = {
    "pfadd": ["pfadd", "hll", "__rand_int__"],
    "geoadd": ["geoadd", "geo", "13.361389", "38.115556", "m:__rand_int__"],
}


def bench(port, test, pipeline, requests):
    args = ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(requests),
            "-c", "50", "-P", str(pipeline), "-r", "1000000", "-q"] + TESTS[test]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    for line in re.split(r"[\r\n]", out):
        # The member pattern holds a ':', so only the number is looked for.
        m = re.search(r": ([\d.]+) requests per second", line)
        if m:
            return float(m.group(1))
    sys.exit(f"no result from {' '.join(args)}:\n{out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bin", "seedis-server"],
                       cwd=compare.ROOT, check=True)
    pipelines = [int(p) for p in args.pipelines.split(",")]
    ports = {kind: compare.free_port() for kind in compare.KINDS}
    procs = {kind: compare.start(kind, ports[kind]) for kind in compare.KINDS}
    samples = {}
    try:
        for r in range(args.rounds):
            for test in TESTS:
                for pipeline in pipelines:
                    order = compare.KINDS if r % 2 == 0 else compare.KINDS[::-1]
                    for kind in order:
                        compare.call(ports[kind], [compare.resp("FLUSHALL")])
                        rps = bench(ports[kind], test, pipeline, args.requests)
                        samples.setdefault((test, pipeline, kind), []).append(rps)
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait()
    print("| command | pipeline | redis req/s | seedis req/s | seedis/redis |")
    print("|---|---|---|---|---|")
    for test in TESTS:
        for pipeline in pipelines:
            redis = statistics.median(samples[(test, pipeline, "redis")])
            seedis = statistics.median(samples[(test, pipeline, "seedis")])
            print(f"| {test} | {pipeline} | {redis:,.0f} | {seedis:,.0f} | {seedis / redis:.2f} |")


if __name__ == "__main__":
    main()
