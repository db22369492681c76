#!/usr/bin/env python3
"""Replays topologies/policy-routing.yaml (seed 004, policy routing on an LVS-DR real server) on the real
Linux kernel, in network namespaces, with the same nodes, addresses and commands:

client 172.16.0.1 -- router (172.16.0.254 | 10.0.0.254) --+
                     director 10.0.0.1 -------------------+-- bridge "lan"
                     realserver 10.0.0.2 (+ 10.0.0.110 label eth0:110, VIP 10.0.0.100/32 on lo label lo:0,
                     arp_ignore=1, arp_announce=2, `ip rule add from 10.0.0.100 table 100`)

Records every command of the file's expect blocks: `ip rule show`, the `ip route get`s, `ip route show
table 100`, the ping from the VIP, `ip addr show dev eth0`, `ifconfig eth0:110`, the director's
`ip route add` / `append` of a second default and `ip route show`. `ip addr` lines are printed without
the veth-only parts (`@ifN`, `link-netns NAME`), which a netloom interface does not have. IPv6 is on
(the nodes' link-local addresses show in `ip addr`), as netloom's nodes have it.

Needs root, iproute2, net-tools. Runs in a few seconds. Output is committed as
policy-routing.expected.txt; test/kernel-policy-routing.test.ts re-runs it and compares.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab, ping, show  # noqa: E402

lab = Lab("nlk-pr-", ipv6=True)
for node in ("client", "router", "director", "realserver"):
    lab.add_node(node)
mac = lambda node, i: f"02:00:00:00:{node:02x}:{i:02x}"  # noqa: E731
lab.add_segment("l1", [("client", "eth0", mac(1, 1)), ("router", "eth0", mac(2, 1))])
lab.add_segment("lan", [("router", "eth1", mac(2, 2)), ("director", "eth0", mac(3, 1)),
                        ("realserver", "eth0", mac(4, 1))])
for node in ("router", "director"):  # kind: router
    lab.sh(node, "sysctl -qw net.ipv4.ip_forward=1")
for node, cmds in {
    "client": ["ip link set eth0 up", "ip addr add 172.16.0.1/24 dev eth0", "ip route add default via 172.16.0.254"],
    "router": ["ip link set eth0 up", "ip link set eth1 up", "ip addr add 172.16.0.254/24 dev eth0",
               "ip addr add 10.0.0.254/24 dev eth1"],
    "director": ["ip link set eth0 up", "ip addr add 10.0.0.1/24 dev eth0", "ip route add default via 10.0.0.254"],
    "realserver": ["ip link set eth0 up", "ip addr add 10.0.0.2/24 dev eth0",
                   "ip addr add 10.0.0.110/24 dev eth0 label eth0:110", "ip addr add 10.0.0.100/32 dev lo label lo:0",
                   "sysctl -w net.ipv4.conf.all.arp_ignore=1", "sysctl -w net.ipv4.conf.all.arp_announce=2",
                   "ip route add default via 10.0.0.1", "ip rule add from 10.0.0.100 table 100",
                   "ip route add default via 10.0.0.254 table 100"],
}.items():
    for cmd in cmds:
        lab.sh(node, cmd)


def run(node, cmd):
    status, out, err = lab.run(node, cmd)
    out = re.sub(r"@if\d+", "", out)
    out = re.sub(r" link-netns \S+", "", out)
    show(f"{node}: {cmd}", status, out, err)


run("realserver", "ip rule show")
run("realserver", "ip route get 172.16.0.1 from 10.0.0.100")
run("realserver", "ip route get 172.16.0.1")
run("realserver", "ip route get 172.16.0.1 from 10.0.0.2")
run("realserver", "ip route get 172.16.0.1 from 10.0.0.110")
run("realserver", "ip route show table 100")
run("realserver", "ip route show")
ping(lab, "realserver", "-c 2 -W 1 -I 10.0.0.100 172.16.0.1")
run("router", "ip neigh show 10.0.0.100")
ping(lab, "realserver", "-c 2 -W 1 172.16.0.1")
for _ in range(50):  # until duplicate address detection has finished on the link-local address
    if "tentative" not in lab.run("realserver", "ip addr show dev eth0")[1]:
        break
    time.sleep(0.1)
run("realserver", "ip addr show dev eth0")
run("realserver", "ip addr show dev lo")
run("realserver", "ifconfig eth0:110")
run("realserver", "ifconfig lo:0")
run("director", "ip route add default via 10.0.0.2")
run("director", "ip route append default via 10.0.0.2")
run("director", "ip route show")
