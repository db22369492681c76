#!/usr/bin/env python3
"""Duplicate address detection and router solicitation on the real Linux kernel, in network
namespaces (issue #15, the ground truth of packages/stack/src/ipv6/addrconf-probes.ts).

h1 eth0 02:00:00:00:01:01 -- h2 eth0 02:00:00:00:02:01 (one veth pair). Kernel defaults
(accept_dad 1, dad_transmits 1, enhanced_dad 1, router_solicitations -1) but on h2, which sends no
router solicitations (router_solicitations 0, set before its link exists). h2 has 2001:db8::1/64
nodad from the start.

Timeline (seconds after h1's link comes up): 0 h1 up (both link-locals go through DAD, h1 solicits
routers); 3 h1 adds 2001:db8::2/64 (unique) and 2001:db8::1/64 (h2's: h2 answers the probe with an
NA and h1's copy fails DAD); 6 h1's addresses and local routes are read; 8.5 both add 2001:db8::5/64 at once (the node whose random delay ends
later sees the other's probe first and fails without probing); 11 the capture stops.

Printed: every NS, NA and RS on the link (tcpdump on h2's eth0), sorted, since the random delays
order them differently on each run (two RSs fall in the window: the third comes at least 11.8 s
after h1's link came up); h1's IPv6 addresses (without the link line) and local routes; the kernel
log lines of the duplicates (their text, without the timestamp); and for 2001:db8::5 how many of
the two nodes failed and logged. Needs root, iproute2 and tcpdump. Runs in about 13 s. Output is
committed as dad.expected.txt.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab, mac  # noqa: E402


def kernel_log(since):
    """The kernel's log lines stamped at or after `since` (seconds of uptime), without their stamps."""
    lines = []
    for line in subprocess.run(["dmesg"], capture_output=True, text=True).stdout.splitlines():
        stamp, _, text = line.partition("] ")
        if stamp.startswith("[") and float(stamp[1:]) >= since:
            lines.append(text)
    return lines


def uptime():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


lab = Lab("nlk-dad-", ipv6=True)
for node in ("h1", "h2"):
    lab.add_node(node)
lab.sh("h2", "sysctl -qw net.ipv6.conf.default.router_solicitations=0")
lab.add_p2p(("h1", "eth0", mac(1, 1)), ("h2", "eth0", mac(2, 1)))
lab.sh("h2", "ip link set eth0 up")
lab.sh("h2", "ip -6 addr add 2001:db8::1/64 dev eth0 nodad")
started = uptime()

capture = lab.popen("h2", ["tcpdump", "-l", "-n", "-i", "eth0", "icmp6 and ip6[40] >= 133 and ip6[40] <= 136"])
time.sleep(1.0)
t0 = time.monotonic()


def at(seconds):
    time.sleep(max(0.0, t0 + seconds - time.monotonic()))


lab.sh("h1", "ip link set eth0 up")
at(3)
lab.sh("h1", "ip -6 addr add 2001:db8::2/64 dev eth0")
lab.sh("h1", "ip -6 addr add 2001:db8::1/64 dev eth0")
at(6)
addresses = lab.sh("h1", "ip -6 addr show dev eth0")
local_routes = lab.sh("h1", "ip -6 route show table local")
at(8.5)
both = [subprocess.Popen(["ip", "netns", "exec", lab.ns(n), "ip", "-6", "addr", "add", "2001:db8::5/64", "dev", "eth0"]) for n in ("h1", "h2")]
for p in both:
    p.wait()
at(11)
capture.terminate()
frames, _ = capture.communicate()

print("## NS, NA and RS on the link, sorted")
for line in sorted(line.split(" ", 1)[1] for line in frames.splitlines() if line.strip()):
    print(line)
print("## h1: ip -6 addr show dev eth0")
print("".join(addresses.splitlines(keepends=True)[1:]), end="")
print("## h1: ip -6 route show table local")
print(local_routes, end="")
logged = [line for line in kernel_log(started) if "IPv6 duplicate address 2001:db8::" in line]
print("## kernel log: 2001:db8::1")
for line in logged:
    if "2001:db8::1 " in line:
        print(line)
failed = sum("2001:db8::5/64 scope global dadfailed tentative" in lab.sh(n, "ip -6 addr show dev eth0") for n in ("h1", "h2"))
print("## 2001:db8::5 added on both at once")
print(f"dadfailed on {failed} of 2, duplicate logged {sum('2001:db8::5 ' in line for line in logged)} time(s)")
