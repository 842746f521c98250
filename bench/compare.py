#!/usr/bin/env python3
"""redis-benchmark against a real redis-server and seedis on the same machine, in the
same run, each server pinned to CPU 0 and the benchmark to CPU 1 (taskset).

    python3 bench/compare.py [--rounds 3] [--requests 200000] [--pipelined-requests 2000000]

Prints a Markdown table of medians over the rounds and the seedis/redis ratio. A
benchmark, not a test: it asserts nothing.
"""
import argparse, os, re, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = ["SET", "GET", "INCR"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(port, proc):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"server exited: {proc.args}")
            time.sleep(0.05)
    sys.exit("server did not start")


def start(kind, port):
    if kind == "redis":
        cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    else:
        cmd = [os.path.join(ROOT, "target/release/seedis-server"), "--port", str(port)]
    proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, proc)
    return proc


def bench(port, pipeline, requests):
    out = subprocess.run(
        ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-t", ",".join(t.lower() for t in TESTS),
         "-n", str(requests), "-c", "50", "-P", str(pipeline), "-q"],
        capture_output=True, text=True, check=True).stdout
    results = {}
    for line in re.split(r"[\r\n]", out):
        m = re.match(r"\s*(\w+): ([\d.]+) requests per second", line)
        if m and m.group(1) in TESTS:
            results[m.group(1)] = float(m.group(2))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--pipelined-requests", type=int, default=2000000)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--bin", "seedis-server"], cwd=ROOT, check=True)
    samples = {}
    for _ in range(args.rounds):
        for kind in ["redis", "seedis"]:
            port = free_port()
            proc = start(kind, port)
            try:
                for pipeline, n in [(1, args.requests), (16, args.pipelined_requests)]:
                    for test, rps in bench(port, pipeline, n).items():
                        samples.setdefault((kind, test, pipeline), []).append(rps)
            finally:
                proc.terminate()
                proc.wait()
    print(f"medians of {args.rounds} rounds, requests/s, 50 clients; servers on CPU 0, redis-benchmark on CPU 1")
    print()
    print("| test | pipeline | redis-server 7.0.15 | seedis | seedis / redis |")
    print("|---|---|---|---|---|")
    for pipeline in [1, 16]:
        for test in TESTS:
            r = statistics.median(samples[("redis", test, pipeline)])
            s = statistics.median(samples[("seedis", test, pipeline)])
            print(f"| {test} | {pipeline} | {r:,.0f} | {s:,.0f} | {s / r:.2f} |")


if __name__ == "__main__":
    main()
