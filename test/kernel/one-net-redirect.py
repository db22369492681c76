#!/usr/bin/env python3
"""Replays topologies/one-net-redirect.yaml (seed 004, one-network LVS-NAT) on the real Linux kernel.

client 10.1.1.10/24 (default via 10.1.1.1), director 10.1.1.1/24 + 192.168.1.1/24 on one interface with
ip_forward=1, realserver 192.168.1.20/24 (default via 192.168.1.1), all on one bridge. The real server's
packets to the client enter and leave the director by the same interface, so the director sends ICMP
redirects (counted with tcpdump on the director). Records, phase by phase: the real server's
`ip route get 10.1.1.10`, `traceroute -n -q 1 10.1.1.10` (hop addresses only), the route cache as
`ip route show cache` and `route -Cn` print it, the `expires` countdown (the GC timeout itself,
net.ipv4.route.gc_timeout = 300 s, exists only in the initial namespace and is left alone, so expiry is
shown by the countdown, not waited for), `ip route flush cache`, and the send_redirects matrix
(all/eth0 = 0/1, 0/0, 1/0). Phase 0 first runs the yaml's own timeline with default sysctls (separate
namespaces); the later phases switch ICMP error rate limiting off (see the comment there).

Needs root, iproute2, traceroute, tcpdump. Runs in about 30 s. Output is committed beside it as
one-net-redirect.expected.txt; test/kernel-redirect.test.ts re-runs it and compares.
"""
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab, hops, show  # noqa: E402

def build(prefix, ratemask_off_on):
    """The yaml's three nodes on one bridge; tcpdump on the director collecting redirects."""
    lab = Lab(prefix)
    for node in ("client", "director", "realserver"):
        lab.add_node(node)
    lab.add_segment("lan", [("client", "eth0", "02:00:00:00:01:01"),
                            ("director", "eth0", "02:00:00:00:02:01"),
                            ("realserver", "eth0", "02:00:00:00:03:01")])
    lab.sh("director", "sysctl -qw net.ipv4.ip_forward=1")
    for node, cmds in {
        "client": ["ip link set eth0 up", "ip addr add 10.1.1.10/24 dev eth0", "ip route add default via 10.1.1.1"],
        "director": ["ip link set eth0 up", "ip addr add 10.1.1.1/24 dev eth0", "ip addr add 192.168.1.1/24 dev eth0"],
        "realserver": ["ip link set eth0 up", "ip addr add 192.168.1.20/24 dev eth0",
                       "ip route add default via 192.168.1.1"],
    }.items():
        for cmd in cmds:
            lab.sh(node, cmd)
    for node in ratemask_off_on:
        lab.sh(node, "sysctl -qw net.ipv4.icmp_ratemask=0")
    # Redirects leaving the director, one line each (tcpdump -l flushes per packet).
    captured = []
    dump = lab.popen("director", ["tcpdump", "-i", "eth0", "-n", "-l", "-q", "icmp[icmptype] == 5"])
    threading.Thread(target=lambda: [captured.append(line.strip()) for line in dump.stdout], daemon=True).start()
    time.sleep(1.5)
    return lab, captured, dump


# Phase 0: one-net-redirect.yaml's own timeline (1 s, 2 s, 3 s, 5 s, 6 s, 7 s) with default sysctls.
# With the default icmp_ratemask the director's time-exceeded answer to each traceroute's TTL-1 probe
# goes through inet_peer_xrlim_allow, which sets the same inet_peer rate_last that the redirect back-off
# (ip_rt_send_redirect: next redirect only after rate_last + redirect_load << n_redirects) reads; the
# TTL>=2 probes follow within a millisecond, so after the first redirect no traceroute draws another.
# Only the client's ICMP rate limit is off here: traceroutes 1 s apart are at the edge of its per-peer
# bucket (burst 6, then 1 a second), so its port unreachables would come or not from run to run.
print("## phase 0: the yaml's timeline, default sysctls but the client's icmp_ratemask=0 (times from the first command)")
lab, captured, dump = build("nlk-onr0-", ("client",))
t0 = time.monotonic()
for at, cmd in ((1, "ip route get 10.1.1.10"), (2, "traceroute -n -q 1 10.1.1.10"),
                (3, "traceroute -n -q 1 10.1.1.10"), (5, "ip route get 10.1.1.10"),
                (6, "traceroute -n -q 1 10.1.1.10"), (7, "route -Cn"), (8, "ip route get 10.1.1.10")):
    time.sleep(max(0.0, t0 + at - 1 - time.monotonic()))
    status, out, err = lab.run("realserver", cmd)
    show(f"realserver: {cmd}", status, "\n".join(hops(out)) if cmd.startswith("traceroute") else out, err)
time.sleep(0.3)
print(f"# redirects sent by the director in phase 0: {sum('> 192.168.1.20:' in l for l in captured)}")
dump.terminate()
dump.wait()
lab.cleanup()

# ICMP error rate limiting (per peer: a burst of 6, then 1/s) would otherwise answer only the first few of
# traceroute's 16 simultaneous probes, and the director's time-exceeded messages share the inet_peer
# (rate_last) with its redirect rate limit (phase 0). Both are switched off from here on so that the
# traces show routing only.
lab, captured, dump = build("nlk-onr-", ("client", "director"))
print("# set from here on: net.ipv4.icmp_ratemask=0 on client and director (per-netns); nothing else changed")


def redirects_since(mark):
    time.sleep(0.3)
    lines = captured[mark:]
    to_rs = [l for l in lines if "> 192.168.1.20:" in l]
    to_client = [l for l in lines if "> 10.1.1.10:" in l]
    print(f"# redirects sent by the director: {len(to_rs)} to the realserver, {len(to_client)} to the client")
    for line in sorted(set(re.sub(r"^\S+ IP ", "", l) for l in lines)):
        print(f"#   {line}")


def run(node, cmd):
    show(f"{node}: {cmd}", *lab.run(node, cmd))


def route_get():
    run("realserver", "ip route get 10.1.1.10")


def traceroute():
    time.sleep(1.1)
    mark = len(captured)
    status, out, err = lab.run("realserver", "traceroute -n -q 1 10.1.1.10")
    print("$ realserver: traceroute -n -q 1 10.1.1.10   (hops only)")
    for line in hops(out):
        print(line)
    if status != 0:
        print(f"[exit {status}] {err.strip()}")
    redirects_since(mark)


try:
    print("## phase 1: before any traffic")
    route_get()
    print("## phase 2: first traceroute; the director redirects, the real server does not know 10.1.1.10's MAC yet")
    traceroute()
    run("realserver", "ip neigh show 10.1.1.10")
    route_get()
    print("## phase 3: second traceroute; this redirect is accepted")
    traceroute()
    route_get()
    print("## phase 4: third traceroute goes straight to the client")
    traceroute()
    route_get()
    run("realserver", "ip route show cache")
    run("realserver", "ip -j route show cache")
    run("realserver", "route -Cn")
    run("realserver", "ip route get 10.1.1.11")
    run("director", "ip route get 10.1.1.10 from 192.168.1.20 iif eth0")
    # The client's port-unreachable replies also cross the director in and out of eth0, but no redirect
    # is ever sent about an ICMP error (icmp_send refuses), so the client keeps its route.
    run("client", "ip route get 192.168.1.20")
    print("## phase 5: the expiry countdown")
    before = re.search(r"expires (\d+)sec", lab.run("realserver", "ip route get 10.1.1.10")[1])
    t = time.monotonic()
    time.sleep(3)
    after = re.search(r"expires (\d+)sec", lab.run("realserver", "ip route get 10.1.1.10")[1])
    waited = time.monotonic() - t
    if before and after:
        fell = int(before.group(1)) - int(after.group(1))
        print(f"# expires {before.group(1)}sec, {waited:.0f} s later expires {after.group(1)}sec")
        print(f"# countdown follows wall time: {'yes' if abs(fell - waited) <= 2 else 'no'}")
    else:
        print("# countdown: no expires field")
    print("## phase 6: ip route flush cache")
    run("realserver", "ip route flush cache")
    route_get()
    run("realserver", "ip route show cache")
    traceroute()
    route_get()
    print("## phase 7: send_redirects matrix on the director (after a flush on the real server each time)")
    for all_, dev in ((0, 1), (0, 0), (1, 0)):
        lab.sh("director", f"sysctl -qw net.ipv4.conf.all.send_redirects={all_}")
        lab.sh("director", f"sysctl -qw net.ipv4.conf.eth0.send_redirects={dev}")
        print(f"## all.send_redirects={all_} eth0.send_redirects={dev}")
        run("director", "sysctl net.ipv4.conf.all.send_redirects net.ipv4.conf.eth0.send_redirects")
        run("realserver", "ip route flush cache")
        traceroute()
        route_get()
        traceroute()
finally:
    dump.terminate()
    dump.wait()
