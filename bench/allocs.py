#!/usr/bin/env python3
"""Heap allocations per SET: counts the server's calls to libc's malloc, calloc, realloc
and free with perf uprobes while `redis-cli --pipe` sends N `SET key:N value:NNNNNNNNNN`.

    python3 bench/allocs.py [--keys 100000] BINARY [BINARY...]

Each BINARY is a redis-server or seedis-server; one built with the system allocator (a
seedis built with `--no-default-features`, i.e. without jemalloc) is needed for its
allocations to reach libc. Needs root (perf probe). A benchmark, asserts nothing.
"""
import argparse, os, re, subprocess, tempfile, time

from common import start_server

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
PROBES = ["malloc", "calloc", "realloc", "free"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    for p in PROBES:
        subprocess.run(["perf", "probe", "-q", "-x", LIBC, "--add", p], capture_output=True)
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        for i in range(args.keys):
            k, v = b"key:%d" % i, b"value:%010d" % i
            f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
        load = f.name
    try:
        print("| server | allocator calls per SET (malloc+calloc+realloc) | blocks still held per key (malloc+calloc-free) |")
        print("|---|---|---|")
        for binary in args.binaries:
            # Not pinned: perf counts calls, not time.
            server = start_server("redis" if os.path.basename(binary).startswith("redis")
                                  else "seedis", binary=binary, cpu=None)
            port = server.port
            try:
                stat = subprocess.Popen(
                    ["perf", "stat", "-x,", "-e", ",".join(f"probe_libc:{p}" for p in PROBES),
                     "-p", str(server.pid)], stderr=subprocess.PIPE, text=True)
                time.sleep(0.5)
                with open(load, "rb") as inp:
                    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=inp,
                                   capture_output=True, check=True)
                stat.send_signal(2)
                _, err = stat.communicate()
                counts = {m.group(2): int(m.group(1))
                          for m in re.finditer(r"^(\d+),[^,]*,probe_libc:(\w+)", err, re.M)}
                calls = sum(counts.get(p, 0) for p in ["malloc", "calloc", "realloc"])
                kept = counts.get("malloc", 0) + counts.get("calloc", 0) - counts.get("free", 0)
                print(f"| {binary} | {calls / args.keys:.2f} | {kept / args.keys:.2f} |")
            finally:
                server.stop()
    finally:
        os.unlink(load)
        for p in PROBES:
            subprocess.run(["perf", "probe", "-q", "--del", f"probe_libc:{p}"], capture_output=True)


if __name__ == "__main__":
    main()
