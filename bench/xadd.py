#!/usr/bin/env python3
"""XADD throughput, seedis beside redis-server in one run, pinned as bench/compare.py
pins them: both servers on CPU 0, redis-benchmark on CPU 1, the servers measured back to
back and the order alternating from round to round, so noise falls on both alike.

    python3 bench/xadd.py [--rounds 3] [--requests 200000] [--pipeline 16]

Each round: FLUSHALL, then `redis-benchmark -n N -P P xadd s '*' f v` (one growing
stream; stream-node-max-entries 100 and -bytes 4096, the defaults). Prints the
requests per second of each round, the medians and the seedis/redis ratio. A benchmark,
not a test: it asserts nothing. Needs target/release/seedis-server.
"""
import argparse, os, re, socket, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind, port, workdir):
    if kind == "redis":
        cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
               "--dir", workdir]
    else:
        cmd = [os.path.join(ROOT, "target/release/seedis-server"), "--port", str(port),
               "--save", "", "--dir", workdir]
    proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{kind} did not start")


def bench(port, requests, pipeline):
    subprocess.run(["redis-cli", "-p", str(port), "flushall"], check=True,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run(
        ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(requests),
         "-P", str(pipeline), "-q", "xadd", "s", "*", "f", "v"],
        check=True, capture_output=True, text=True).stdout
    found = re.findall(r"([\d.]+) requests per second", out)
    if not found:
        raise SystemExit(f"unexpected redis-benchmark output: {out!r}")
    return float(found[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--pipeline", type=int, default=16)
    args = ap.parse_args()
    procs = {}
    ports = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for kind in ("redis", "seedis"):
                ports[kind] = free_port()
                procs[kind] = start(kind, ports[kind], tmp)
            results = {"redis": [], "seedis": []}
            for r in range(args.rounds):
                order = ("redis", "seedis") if r % 2 == 0 else ("seedis", "redis")
                for kind in order:
                    rps = bench(ports[kind], args.requests, args.pipeline)
                    results[kind].append(rps)
                    print(f"round {r + 1} {kind}: {rps:.0f} requests/s", flush=True)
            med = {k: statistics.median(v) for k, v in results.items()}
            print(f"median redis: {med['redis']:.0f}/s, seedis: {med['seedis']:.0f}/s, "
                  f"seedis/redis: {med['seedis'] / med['redis']:.2f}")
        finally:
            for p in procs.values():
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
