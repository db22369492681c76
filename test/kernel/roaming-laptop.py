#!/usr/bin/env python3
"""Replays seed 000 (the roaming laptop) on the real Linux kernel, in network namespaces.

Builds: laptop (wm0 193.71.2.59/24 on the wired bridge, ath0 10.13.65.16/24 on the wireless
bridge), target 193.71.2.52 and wired gateway 193.71.2.1 on the wired bridge, and a wireless
gateway 10.13.65.1 that also has 193.71.2.2 on the wired bridge (so the target is reachable
through it). Then runs the seed's command sequence (translated to iproute2 where net-tools has no
equivalent) and after each step sends one UDP datagram to 193.71.2.52:9 from an unconnected
socket bound to the wildcard address and from a socket connected before the sequence started.
Prints one line per step and socket: `STEP SOCKET RESULT DEV SRC`, where RESULT is OK or the errno
name, DEV is the interface whose tx_packets counter moved and SRC the source address the target saw.

Needs root and iproute2. Usage: python3 roaming-laptop.py [--keep]
Everything lives in namespaces prefixed `nlrl-`, deleted at the end.
"""
import ctypes, errno, os, socket, subprocess, sys, time

P = "nlrl-"
NS = [P + n for n in ("laptop", "target", "wgw", "wired")]


def sh(cmd, ns=None, check=True):
    full = (["ip", "netns", "exec", ns] if ns else []) + cmd.split()
    r = subprocess.run(full, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(full)}: {r.stderr.strip()}")
    return r.stdout


_libc = ctypes.CDLL("libc.so.6", use_errno=True)
CLONE_NEWNET = 0x40000000


def setns_fd(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def setns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    setns_fd(fd)
    os.close(fd)


def cleanup():
    for n in NS:
        subprocess.run(["ip", "netns", "del", n], capture_output=True)


def build():
    cleanup()
    for n in NS:
        sh(f"ip netns add {n}")
    w = P + "wired"
    # Two bridges in one helper namespace: br-wired and br-wless.
    sh("ip link add brw type bridge", w); sh("ip link set brw up", w)
    sh("ip link add brl type bridge", w); sh("ip link set brl up", w)
    def port(ns, ifname, bridge, tag):
        sh(f"ip link add {ifname} netns {ns} type veth peer name {tag} netns {w}")
        sh(f"ip link set {tag} master {bridge} up", w)
        sh(f"ip link set {ifname} up", ns)
    L, T, G = P + "laptop", P + "target", P + "wgw"
    port(L, "wm0", "brw", "p-wm0")
    port(L, "ath0", "brl", "p-ath0")
    port(T, "eth0", "brw", "p-tgt")
    port(G, "wl0", "brl", "p-gwl")
    port(G, "wd0", "brw", "p-gwd")
    sh("ip addr add 193.71.2.59/24 dev wm0", L)
    sh("ip addr add 10.13.65.16/24 dev ath0", L)
    sh("ip route add default via 193.71.2.1", L)
    # The wired gateway 193.71.2.1 is an extra address of the target here (only ARP matters).
    sh("ip addr add 193.71.2.52/24 dev eth0", T)
    sh("ip addr add 193.71.2.1/24 dev eth0", T)
    sh("ip link set lo up", T)
    sh("ip addr add 10.13.65.1/24 dev wl0", G)
    sh("ip addr add 193.71.2.2/24 dev wd0", G)
    sh("sysctl -qw net.ipv4.ip_forward=1", G)
    for n in NS:  # no IPv6 chatter (router solicitations, MLD) in the counters
        sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1", n)


STEPS = [
    ("start", None),
    ("wm0-down", "ip link set wm0 down"),
    ("wm0-up", "ip link set wm0 up"),
    ("del-wired-addr", "ip addr del 193.71.2.59/24 dev wm0"),
    ("add-wired-addr", "ip addr add 193.71.2.59/24 dev wm0"),
    ("del-wired-addr-2", "ip addr del 193.71.2.59/24 dev wm0"),
    ("del-default", "ip route del default"),
    ("default-via-wireless", "ip route add default via 10.13.65.1"),
    ("readd-wired-addr", "ip addr add 193.71.2.59/24 dev wm0"),
    ("del-wireless-addr", "ip addr del 10.13.65.16/24 dev ath0"),
    ("del-default-2", "ip route del default"),
    ("default-via-wired", "ip route add default via 193.71.2.1"),
    ("readd-wireless-addr", "ip addr add 10.13.65.16/24 dev ath0"),
    ("del-wireless-addr-2", "ip addr del 10.13.65.16/24 dev ath0"),
    # Beyond the seed: a backup default route, so that deleting the address in use can fail over,
    # and a more specific route appearing while the socket is in use.
    ("readd-wireless-addr-3", "ip addr add 10.13.65.16/24 dev ath0"),
    ("backup-default", "ip route add default via 10.13.65.1 metric 100"),
    ("del-wired-addr-3", "ip addr del 193.71.2.59/24 dev wm0"),
    ("readd-wired-addr-3", "ip addr add 193.71.2.59/24 dev wm0"),
    ("host-route-via-wireless", "ip route add 193.71.2.52/32 via 10.13.65.1"),
]


def tx_counts():
    # /proc/self/net/dev follows this thread's network namespace (sysfs would not).
    out = {}
    with open("/proc/self/net/dev") as f:
        for line in f.readlines()[2:]:
            name, data = line.split(":", 1)
            if name.strip() in ("wm0", "ath0"):
                out[name.strip()] = int(data.split()[8])  # tx bytes
    return out


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root", file=sys.stderr); sys.exit(77)
    build()
    L, T = P + "laptop", P + "target"
    try:
        # Receiver in the target namespace (socket created there, used from here).
        origin = os.open("/proc/self/ns/net", os.O_RDONLY)
        setns(T)
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("0.0.0.0", 9)); rx.settimeout(0.5)
        setns(L)
        unconnected = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        unconnected.bind(("0.0.0.0", 0))
        connected = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        connected.connect(("193.71.2.52", 9))
        # Resolve the neighbours first so the first send is not queued behind ARP.
        subprocess.run(["ping", "-c", "1", "-W", "1", "193.71.2.52"], capture_output=True)
        for name, cmd in STEPS:
            if cmd:
                subprocess.run(["ip"] + cmd.split()[1:], capture_output=True, text=True)
                time.sleep(0.05)
            for label, sock in (("unconnected", unconnected), ("connected", connected)):
                before = tx_counts()
                try:
                    if sock is connected:
                        sock.send(b"Jokum er en fisk".ljust(512, b"\0"))
                    else:
                        sock.sendto(b"Jokum er en fisk".ljust(512, b"\0"), ("193.71.2.52", 9))
                    result = "OK"
                except OSError as e:
                    result = errno.errorcode.get(e.errno, str(e.errno))
                src = "-"
                if result == "OK":
                    try:
                        _, (src, _) = rx.recvfrom(2048)
                    except socket.timeout:
                        src = "lost"
                time.sleep(0.05)
                after = tx_counts()
                dev = "-"
                if result == "OK":
                    # The datagram is 540 bytes on the wire; ARP and the like are far smaller.
                    moved = [d for d in ("wm0", "ath0") if after[d] - before[d] >= 540]
                    dev = ",".join(moved) or "?"
                print(f"{name} {label} {result} {dev} {src}", flush=True)
        setns_fd(origin)
    finally:
        if "--keep" not in sys.argv:
            cleanup()


if __name__ == "__main__":
    main()
