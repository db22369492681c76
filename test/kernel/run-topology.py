#!/usr/bin/env python3
"""Runs a netloom topology file on the real Linux kernel and checks its `expect:` blocks there.

The ground-truth check for the files in topologies/: if the kernel fails an expectation, the file
expects something Linux does not do. Usage:

    python3 run-topology.py FILE [--until SECONDS]

Builds the nodes as network namespaces (netns.py: every link and LAN is a bridge, MACs as netloom
derives them, IPv6 on), applies the router preset (ip_forward=1 for router, director and home-agent)
and each node's `exec:` lines, then plays `events:` and `expect:` in real time by their `at` (items
at the same time: events first, then expectations in file order; each expectation runs in its own
thread, as they run concurrently in netloom). Link events change the bridge ports (up: false sets the
two ports down, so both ends lose carrier); `action: stop` sets the node's bridge ports down (the node
goes silent and sees no carrier, its neighbours keep theirs), `start` sets them up again. Link latency, bandwidth and loss are
not applied (this kernel has no netem); ping times differ accordingly.

Prints one line per expectation, `PASS` or `FAIL FILE:LINE at=Ts node: cmd`, and for a failure what
the kernel printed. Exit status 0 when all pass, 1 otherwise. Items after --until are left out.
"""
import os
import re
import sys
import threading
import time
import zlib

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab  # noqa: E402

FORWARDING_KINDS = {"router", "director", "home-agent"}


def duration(text):
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r"([\d.]+)\s*(ns|us|ms|s|m)?", str(text).strip())
    if not m:
        raise ValueError(f"bad duration {text!r}")
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, None: 1}[m.group(2)]
    return float(m.group(1)) * scale


def matcher(spec):
    """A topology-format matcher: "" = empty, "/re/flags" = regular expression, else a substring."""
    if spec == "":
        return "empty", lambda text: text == ""
    m = re.fullmatch(r"/(.*)/([a-z]*)", spec, re.S)
    if m:
        flags = 0
        for f in m.group(2):
            flags |= {"m": re.M, "s": re.S, "i": re.I}.get(f, 0)
        rx = re.compile(m.group(1), flags)
        return spec, lambda text: rx.search(text) is not None
    return repr(spec), lambda text: spec in text


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def expect_lines(path):
    """Line numbers (1-based) of the items of the top-level `expect:` sequence."""
    with open(path) as f:
        root = yaml.compose(f)
    for key, value in root.value:
        if key.value == "expect":
            return [item.start_mark.line + 1 for item in value.value]
    return []


def main():
    args = sys.argv[1:]
    until = None
    if "--until" in args:
        i = args.index("--until")
        until = float(args[i + 1])
        del args[i:i + 2]
    path = args[0]
    with open(path) as f:
        topo = yaml.safe_load(f)
    lines = expect_lines(path)

    lab = Lab(f"nlk-t{zlib.crc32(os.path.basename(path).encode()) % 10000}-", ipv6=True)
    nodes = list(topo["nodes"])
    ports = {n: [] for n in nodes}          # interfaces per node, in order of first appearance
    segments = []                           # (segment name, topology id, [(node, ifname)])
    for i, link in enumerate(topo.get("links") or []):
        a, b = link["endpoints"]
        ends = [tuple(a.split(":")), tuple(b.split(":"))]
        segments.append((f"lk{i}", f"{a}--{b}", ends))
    for name, lan in (topo.get("lans") or {}).items():
        segments.append((f"ln{len(segments)}", name, [tuple(m.split(":")) for m in lan["members"]]))
    for _, _, ends in segments:
        for node, ifname in ends:
            ports[node].append(ifname)
    for node in nodes:
        lab.add_node(node)
    bridge_ports = {}                       # topology link/LAN id -> [bridge port names]
    node_ports = {n: [] for n in nodes}     # node -> its bridge ports
    for seg, ident, ends in segments:
        members = []
        for node, ifname in ends:
            mac = f"02:00:00:{(nodes.index(node) + 1) >> 8:02x}:{(nodes.index(node) + 1) & 0xff:02x}:{ports[node].index(ifname) + 1:02x}"
            members.append((node, ifname, mac))
        lab.add_segment(seg, members)
        names = [f"{seg[:6]}-{i}" for i in range(len(members))]
        bridge_ports[ident] = names
        for (node, _, _), port in zip(members, names):
            node_ports[node].append(port)
    for node in nodes:
        spec = topo["nodes"][node] or {}
        cmds = (["sysctl -w net.ipv4.ip_forward=1"] if spec.get("kind") in FORWARDING_KINDS else []) + (spec.get("exec") or [])
        for cmd in cmds:
            status, out, err = lab.run(node, cmd)
            if status != 0:
                print(f"# exec {node}: {cmd}: status {status}: {err.strip()}")

    items = []
    for ev in topo.get("events") or []:
        items.append((duration(ev["at"]), 0, len(items), "event", ev))
    for n, ex in enumerate(topo.get("expect") or []):
        items.append((duration(ex["at"]), 1, n, "expect", ex))
    items.sort(key=lambda item: item[:3])
    results = {}
    threads = []
    background = []

    def check(n, ex):
        status, out, err = lab.run(ex["node"], ex["cmd"], timeout=120)
        problems = []
        if "status" in ex and status != ex["status"]:
            problems.append(f"status {status}, want {ex['status']}")
        for spec in as_list(ex.get("stdout")):
            what, ok = matcher(spec)
            if not ok(out):
                problems.append(f"stdout does not match {what}")
        for spec in as_list(ex.get("stderr")):
            what, ok = matcher(spec)
            if not ok(err):
                problems.append(f"stderr does not match {what}")
        for spec in as_list(ex.get("not_stdout")):
            what, ok = matcher(spec)
            if ok(out):
                problems.append(f"stdout matches {what}, must not")
        results[n] = (problems, status, out, err)

    t0 = time.monotonic()
    for at, _, n, kind, item in items:
        if until is not None and at > until:
            break
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        if kind == "expect":
            th = threading.Thread(target=check, args=(n, item))
            th.start()
            threads.append(th)
        elif "cmd" in item:
            background.append(lab.popen(item["node"], ["sh", "-c", item["cmd"]]))
        elif "action" in item:
            # The node's bridge ports go down: nothing reaches it or leaves it, its own interfaces see no
            # carrier, its neighbours keep theirs. (Without STP the bridge ignores port states.)
            for port in node_ports[item["node"]]:
                lab.sh("sw", f"ip link set {port} {'down' if item['action'] == 'stop' else 'up'}")
        elif "link" in item:
            if "up" in item:
                for port in bridge_ports[item["link"]]:
                    lab.sh("sw", f"ip link set {port} {'up' if item['up'] else 'down'}")
            others = set(item) - {"at", "link", "up"}
            if others:
                print(f"# event at {at}s: {sorted(others)} not applied on the kernel")
    for th in threads:
        th.join()
    for p in background:
        p.kill()
        p.wait()

    failed = 0
    for at, _, n, kind, item in items:
        if kind != "expect" or n not in results:
            continue
        problems, status, out, err = results[n]
        where = f"{path}:{lines[n] if n < len(lines) else '?'} at={at:g}s {item['node']}: {item['cmd']}"
        if not problems:
            print(f"PASS {where}")
            continue
        failed += 1
        print(f"FAIL {where}")
        for p in problems:
            print(f"     {p}")
        print(f"     kernel status {status}, stdout:")
        for line in out.splitlines():
            print(f"     | {line}")
        for line in err.splitlines():
            print(f"     ! {line}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
