#!/usr/bin/env python3
"""NDP between two hosts on the real Linux kernel, in network namespaces: the NS/NA exchange of an
address resolution, the unicast probes that confirm DELAY entries afterwards, and an entry that goes
STALE -> DELAY -> PROBE -> FAILED when its neighbour stops answering (issue #15, the ground truth of
packages/stack/src/neigh/ndisc.ts and the IPv6 neighbour table).

h1 eth0 02:00:00:00:01:01 2001:db8::1/64 -- h2 eth0 02:00:00:00:02:01 2001:db8::2/64 (one veth pair)
Both have their EUI-64 link-local addresses (fe80::ff:fe00:101, fe80::ff:fe00:201).

Set on both before the link exists, so that only NDP's own packets are on the wire: accept_dad 0
(no DAD probes) and router_solicitations 0 (no RS); MLD reports are sent but not printed. On both,
net.ipv6.neigh.eth0.base_reachable_time_ms=12000 (REACHABLE lasts a random 6..18 s), so that
nothing depends on the random draws: the last confirmation of the exchange comes at about 15 s,
every entry is STALE by 35 s, and h1's entry confirmed at about 10 s is still REACHABLE (for at
least 6 s) when h2's last probe asks for it at about 15 s.

Timeline: t=0 h1 pings 2001:db8::2 once; the tables of both at 1 s and at 35 s; then h2 deletes
2001:db8::2; at 36 s h1 pings it again (STALE -> DELAY, then 3 unicast probes unanswered ->
FAILED); h1's entry for 2001:db8::2 is printed at each change, and both tables at the end. Every NS
and NA is printed as captured on h1's eth0 (tcpdump -vv), in order, with its flags and options.

Needs root, iproute2, iputils-ping and tcpdump. Runs in about 50 s. Output is committed as
ndisc.expected.txt; no time is printed (the kernel's timer wheel fires a 5 s timer up to a quarter
second late).
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab, mac  # noqa: E402

lab = Lab("nlk-nd-", ipv6=True)
for node in ("h1", "h2"):
    lab.add_node(node)
    lab.sh(node, "sysctl -qw net.ipv6.conf.default.accept_dad=0")
    lab.sh(node, "sysctl -qw net.ipv6.conf.default.router_solicitations=0")
lab.add_p2p(("h1", "eth0", mac(1, 1)), ("h2", "eth0", mac(2, 1)))
for node in ("h1", "h2"):
    lab.sh(node, "sysctl -qw net.ipv6.neigh.eth0.base_reachable_time_ms=12000")
for node, address in (("h1", "2001:db8::1/64"), ("h2", "2001:db8::2/64")):
    lab.sh(node, "ip link set eth0 up")
    lab.sh(node, f"ip -6 addr add {address} dev eth0")
print("# set on h1 and h2: net.ipv6.conf.default.accept_dad=0, router_solicitations=0, and:")
print("#   " + lab.sh("h1", "sysctl net.ipv6.neigh.eth0.base_reachable_time_ms").strip())
for knob in ("delay_first_probe_time", "retrans_time_ms", "ucast_solicit", "mcast_solicit"):
    print("#   " + lab.sh("h1", f"sysctl net.ipv6.neigh.eth0.{knob}").strip())

# Link-locals come up with the link; wait until both are there (no DAD, so at once).
for node in ("h1", "h2"):
    for _ in range(100):
        if "fe80::" in lab.sh(node, "ip -6 addr show dev eth0 scope link"):
            break
        time.sleep(0.05)

capture = lab.popen("h1", ["tcpdump", "-l", "-n", "-e", "-vv", "-i", "eth0", "icmp6 and (ip6[40] == 135 or ip6[40] == 136)"])
time.sleep(1.0)
t0 = time.monotonic()


def at():
    return time.monotonic() - t0


def tables(label, nodes=("h1", "h2")):
    print(f"## {label}")
    for node in nodes:
        # The kernel lists in its hash order, seeded at random: sorted here.
        for line in sorted(lab.sh(node, "ip -6 neigh show dev eth0").splitlines()):
            print(f"{node}: {line}")


def sleep_until(t):
    time.sleep(max(0.0, t - at()))


status, out, _ = lab.run("h1", "ping -6 -c 1 -q 2001:db8::2")
print("$ h1: ping -6 -c 1 2001:db8::2")
print(re.search(r"\d+ received", out).group(0))
sleep_until(1.0)
tables("t=1s")
sleep_until(35.0)
tables("t=35s")
print("$ h2: ip -6 addr del 2001:db8::2/64 dev eth0")
lab.sh("h2", "ip -6 addr del 2001:db8::2/64 dev eth0")
sleep_until(36.0)
print("## t=36s h1 pings 2001:db8::2 again")
state = lab.sh("h1", "ip -6 neigh show 2001:db8::2 dev eth0").split()[-1]
print(f"h1: 2001:db8::2 {state}")
pinger = lab.popen("h1", ["ping", "-6", "-c", "1", "-W", "1", "-q", "2001:db8::2"])
last = state
while at() < 52.0:
    line = lab.sh("h1", "ip -6 neigh show 2001:db8::2 dev eth0").split()
    state = line[-1] if line else "none"
    if state != last:
        print(f"h1: 2001:db8::2 {state}")
        last = state
    if state == "FAILED":
        break
    time.sleep(0.05)
pinger.wait()
# Only h1's: h2 answers the echo request for the address it no longer has from its IPv6 layer,
# which uses its entry for h1 — not neighbour discovery's doing.
tables("end", ("h1",))
time.sleep(0.5)
capture.terminate()
dump = capture.communicate()[0]

print("## NS and NA on h1's eth0")
lines = dump.splitlines()
for i, line in enumerate(lines):
    m = re.match(r"^(\d+):(\d+):([\d.]+) (\S+) > (\S+), .*?: \(hlim (\d+),.*?\) (\S+) > (\S+): \[icmp6 sum ok\] ICMP6, neighbor (solicitation|advertisement), length \d+, (?:who has|tgt is) (\S+?)(?:, Flags \[([^\]]*)\])?$", line)
    if not m:
        continue
    option = ""
    if i + 1 < len(lines):
        o = re.match(r"^\s+(source|destination) link-address option \(\d\), length 8 \(1\): (\S+)", lines[i + 1])
        if o:
            option = f" {'sll' if o.group(1) == 'source' else 'tll'} {o.group(2)}"
    kind = "NS who has" if m.group(9) == "solicitation" else "NA tgt"
    flags = f" [{m.group(11)}]" if m.group(9) == "advertisement" else ""
    print(f"{m.group(7)} > {m.group(8)} ({m.group(4)} > {m.group(5)}) hlim {m.group(6)} {kind} {m.group(10)}{flags}{option}")
