#!/usr/bin/env python3
"""Replays topologies/dead-gateway.yaml (seed 002) on the real Linux kernel, in network namespaces.

host eth0 10.1.0.2/24 -- gw1 10.1.0.1 | 172.16.0.1 --+
host eth1 10.2.0.2/24 -- gw2 10.2.0.1 | 172.16.0.2 --+-- server 172.16.0.10 (bridge "far")
The host has `ip route add default via 10.1.0.1` + `ip route append default via 10.2.0.1` (metric 0 both).

Gateway 1 is "stopped" by setting both its interfaces down inside its namespace (each link is a bridge,
so the host keeps its carrier, as with a node that stops answering). An unconnected UDP socket on the
host then sends one datagram to 172.16.0.10:9 every 1.5 s (one route lookup per send; `ping` would add a
lookup of its own for its source probe), and every 0.1 s the host's neighbour entry for 10.1.0.1 is
read; each state change is printed with its time since gw1 stopped, each send with the interface it
left by, the source the server saw, or `lost`. Then `ip route get 172.16.0.10` (note: `ip route get`
itself runs fib_select_default and moves its memory of the last choice), gw1's return and
`ping -c 1 10.1.0.1`, and the variant with metrics 10/20 (no failover).

To keep the run short the host's neighbour timers are shortened (per-netns sysctls, printed): only
base_reachable_time_ms (REACHABLE lasts a random 1/2..3/2 of it, so the REACHABLE time is not
compared). 12 s keeps that random time (6..18 s) above delay_first_probe_time: the entry was last
used when it was confirmed, so it always times out to STALE, never straight to DELAY (with 8 s a draw
under 5 s gave DELAY, on the kernel and in the model alike); delay_first_probe_time (5 s), retrans_time_ms (1 s) and ucast_solicit (3) keep their
defaults, so DELAY -> PROBE and PROBE -> FAILED times are the kernel's defaults.

Needs root and iproute2. Runs in about 60 s. Output is committed as dead-gateway.expected.txt;
test/kernel-dead-gateway.test.ts re-runs it and compares (times rounded, REACHABLE time not compared).
"""
import ctypes
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab, ping, show  # noqa: E402

lab = Lab("nlk-dg-")
for node in ("host", "gw1", "gw2", "server"):
    lab.add_node(node)
mac = lambda node, i: f"02:00:00:00:{node:02x}:{i:02x}"  # noqa: E731
lab.add_segment("l1", [("host", "eth0", mac(1, 1)), ("gw1", "eth0", mac(2, 1))])
lab.add_segment("l2", [("host", "eth1", mac(1, 2)), ("gw2", "eth0", mac(3, 1))])
lab.add_segment("far", [("gw1", "eth1", mac(2, 2)), ("gw2", "eth1", mac(3, 2)), ("server", "eth0", mac(4, 1))])
for g in ("gw1", "gw2"):
    lab.sh(g, "sysctl -qw net.ipv4.ip_forward=1")
for node, cmds in {
    "host": ["ip link set eth0 up", "ip link set eth1 up", "ip addr add 10.1.0.2/24 dev eth0",
             "ip addr add 10.2.0.2/24 dev eth1", "ip route add default via 10.1.0.1",
             "ip route append default via 10.2.0.1"],
    "gw1": ["ip link set eth0 up", "ip link set eth1 up", "ip addr add 10.1.0.1/24 dev eth0",
            "ip addr add 172.16.0.1/24 dev eth1"],
    "gw2": ["ip link set eth0 up", "ip link set eth1 up", "ip addr add 10.2.0.1/24 dev eth0",
            "ip addr add 172.16.0.2/24 dev eth1"],
    "server": ["ip link set eth0 up", "ip addr add 172.16.0.10/24 dev eth0",
               "ip route add 10.1.0.0/24 via 172.16.0.1", "ip route add 10.2.0.0/24 via 172.16.0.2"],
}.items():
    for cmd in cmds:
        lab.sh(node, cmd)
for dev in ("eth0", "eth1"):
    lab.sh("host", f"sysctl -qw net.ipv4.neigh.{dev}.base_reachable_time_ms=12000")
print("# set on host: net.ipv4.neigh.{eth0,eth1}.base_reachable_time_ms=12000 (default 30000); other neighbour"
      " timers default:")
for knob in ("delay_first_probe_time", "retrans_time_ms", "ucast_solicit", "mcast_solicit"):
    print("#   " + lab.sh("host", f"sysctl net.ipv4.neigh.eth0.{knob}").strip())

# Sockets: a receiver in the server's namespace, an unconnected sender in the host's.
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def enter(node):
    fd = os.open(f"/run/netns/{lab.ns(node)}", os.O_RDONLY)
    libc.setns(fd, 0x40000000)
    os.close(fd)


origin = os.open("/proc/self/ns/net", os.O_RDONLY)
enter("server")
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("0.0.0.0", 9))
rx.setblocking(False)
enter("host")
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
libc.setns(origin, 0x40000000)


def tx_bytes():
    out = {}
    for line in lab.sh("host", "cat /proc/net/dev").splitlines()[2:]:
        name, data = line.split(":", 1)
        out[name.strip()] = int(data.split()[8])
    return out


def send():
    """One datagram (442 bytes on the wire; ARP frames are 42): which interface, what source arrived."""
    before = tx_bytes()
    tx.sendto(b"x" * 400, ("172.16.0.10", 9))
    time.sleep(0.05)
    after = tx_bytes()
    dev = ",".join(d for d in ("eth0", "eth1") if after[d] - before[d] >= 400) or "not-transmitted"
    try:
        _, (src, _) = rx.recvfrom(2048)
    except BlockingIOError:
        src = "lost"
    return f"{dev} {src}"


def neigh(addr):
    words = lab.sh("host", f"ip neigh show {addr}").split()
    return words[-1] if words else "(none)"


def run(node, cmd):
    show(f"{node}: {cmd}", *lab.run(node, cmd))


def watch(start, interval, until_state, sends_after, limit_s):
    """Sends every `interval` seconds and samples 10.1.0.1's state every 0.1 s, until it is until_state
    and `sends_after` sends were made in that state (or limit_s passed). Prints each state change with its time, and
    each send with the state 10.1.0.1 was in just before it; repeated sends while REACHABLE (their
    number depends on the random reachable time) are folded into one line. The intervals are chosen
    so that no send falls within 0.25 s of a timer-driven state change (DELAY lasts 5 s, PROBE 3 s)."""
    state, since, n, after, folded, last = None, {}, 0, 0, False, None
    next_send = time.monotonic()
    while time.monotonic() - start < limit_s:
        now = time.monotonic()
        s = neigh("10.1.0.1")
        if s != state:
            if folded:
                print("  (more sends the same while REACHABLE)")
                folded = False
            state = s
            since[s] = now - start
            print(f"t={now - start:4.1f}s 10.1.0.1 {s}")
        if state == until_state and after >= sends_after:
            break
        if now >= next_send:
            n += 1
            line = f"send ({state}): {send()}"
            if state == "REACHABLE" and line == last:
                folded = True
            else:
                print(f"t={now - start:4.1f}s {line}")
            last = line
            after += state == until_state
            next_send += interval
        time.sleep(0.1)
    if folded:
        print("  (more sends the same while REACHABLE)")
    return since


try:
    print("## phase 1: both gateways up")
    run("host", "ip route show")
    ping(lab, "host", "-c 2 172.16.0.10")
    run("host", "ip route get 172.16.0.10")
    run("host", "ip route add default via 10.2.0.1")
    run("host", "ip neigh show 10.1.0.1")
    run("host", "ip neigh show 10.2.0.1")
    print("## phase 2: gw1 stops answering (its interfaces go down inside gw1); one send every 1.5 s")
    lab.sh("gw1", "ip link set eth0 down; ip link set eth1 down")
    since = watch(time.monotonic(), 1.5, "FAILED", 1, 40)
    if "DELAY" in since and "PROBE" in since and "FAILED" in since:
        print(f"# DELAY -> PROBE after {since['PROBE'] - since['DELAY']:.0f} s,"
              f" PROBE -> FAILED after {since['FAILED'] - since['PROBE']:.0f} s")
    run("host", "ip neigh show 10.1.0.1")
    run("host", "ip route get 172.16.0.10")
    run("host", "ip route get 172.16.0.10")
    ping(lab, "host", "-c 2 172.16.0.10")
    print("## phase 3: gw1 answers again")
    lab.sh("gw1", "ip link set eth0 up; ip link set eth1 up")
    time.sleep(1)
    run("host", "ip route get 172.16.0.10")
    print("send: " + send())
    run("host", "ip neigh show 10.1.0.1")
    ping(lab, "host", "-c 1 10.1.0.1")
    run("host", "ip neigh show 10.1.0.1")
    run("host", "ip route get 172.16.0.10")
    print("send: " + send())
    print("send: " + send())
    print("## phase 4: metrics 10 and 20 instead: no failover")
    run("host", "ip route del default via 10.1.0.1")
    run("host", "ip route del default via 10.2.0.1")
    run("host", "ip route add default via 10.1.0.1 metric 10")
    run("host", "ip route add default via 10.2.0.1 metric 20")
    run("host", "ip route show")
    lab.sh("gw1", "ip link set eth0 down; ip link set eth1 down")
    # Start from no entry (INCOMPLETE -> FAILED, 3 broadcast probes) rather than wait for REACHABLE to end.
    run("host", "ip neigh del 10.1.0.1 dev eth0")
    watch(time.monotonic(), 1.25, "FAILED", 0, 15)
    run("host", "ip neigh show 10.1.0.1")
    run("host", "ip route get 172.16.0.10")
finally:
    rx.close()
    tx.close()
