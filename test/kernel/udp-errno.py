#!/usr/bin/env python3
"""What a real Linux UDP socket returns on each sendto()/send()/bind() failure path, in network namespaces.

host eth0 10.0.0.2/24 -- bridge -- peer 10.0.0.1/24
host eth1 10.1.0.2/24 -- bridge -- peer 10.1.0.1/24
No default route unless a case adds one; every case starts from that state and undoes its changes.
A socket bound to port 9 on the peer absorbs the datagrams (no port unreachable comes back).
Prints one line per case: `CASE: RESULT` where RESULT is OK or the errno name (of the call named in the
case, after its set-up commands, which are listed under it). Sockets are created inside the host's
namespace (setns), IPv4 only.

Needs root and iproute2. Runs in a few seconds. Output is committed as udp-errno.expected.txt;
test/kernel-udp-errno.test.ts re-runs it and compares.
"""
import ctypes
import errno
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import Lab  # noqa: E402

lab = Lab("nlk-ue-")
for node in ("host", "peer"):
    lab.add_node(node)
lab.add_segment("l0", [("host", "eth0", "02:00:00:00:01:01"), ("peer", "eth0", "02:00:00:00:02:01")])
lab.add_segment("l1", [("host", "eth1", "02:00:00:00:01:02"), ("peer", "eth1", "02:00:00:00:02:02")])
for cmd in ("ip link set eth0 up", "ip link set eth1 up", "ip addr add 10.0.0.2/24 dev eth0",
            "ip addr add 10.1.0.2/24 dev eth1"):
    lab.sh("host", cmd)
for cmd in ("ip link set eth0 up", "ip link set eth1 up", "ip addr add 10.0.0.1/24 dev eth0",
            "ip addr add 10.1.0.1/24 dev eth1", "sysctl -qw net.ipv4.ip_forward=1"):
    lab.sh("peer", cmd)

libc = ctypes.CDLL("libc.so.6", use_errno=True)


def enter(node):
    fd = os.open(f"/run/netns/{lab.ns(node)}", os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns")
    os.close(fd)


# A listener on the peer's port 9 (so sends there draw no port unreachable); nothing listens on port 10.
enter("peer")
listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
listener.bind(("0.0.0.0", 9))
enter("host")

IP_PKTINFO = 8
IP_FREEBIND = 15
SO_BINDTODEVICE = 25


def udp():
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def result(call):
    try:
        call()
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def pktinfo(ifindex, spec_dst):
    return [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=I4s4s", ifindex, socket.inet_aton(spec_dst), b"\0" * 4))]


def ifindex(name):
    return socket.if_nametoindex(name)


def bound_to(dev):
    s = udp()
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode())
    return s


def connected(addr, port=9):
    s = udp()
    s.connect((addr, port))
    return s


def refused():
    s = connected("10.0.0.1", 10)  # nothing listens there: the peer answers port unreachable
    s.send(b"x")
    time.sleep(0.3)
    return lambda: s.send(b"x")


def connected_then_delete(extra):
    s = connected("10.0.0.1")
    s.send(b"x")
    for cmd in extra:
        lab.sh("host", cmd)
    return lambda: s.send(b"x")


def freebind():
    s = udp()
    s.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
    s.bind(("10.0.0.99", 0))
    return lambda: s.sendto(b"x", ("10.0.0.1", 9))


def broadcast_allowed():
    s = udp()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    return lambda: s.sendto(b"x", ("10.0.0.255", 9))


# (name, set-up commands on the host, call -- a function returning the final call, or the call itself, undo)
CASES = [
    ("on-link", [], lambda: udp().sendto(b"x", ("10.0.0.1", 9)), []),
    ("no-route", [], lambda: udp().sendto(b"x", ("198.51.100.1", 9)), []),
    ("prohibit-route", ["ip route add prohibit 198.51.100.0/24"],
     lambda: udp().sendto(b"x", ("198.51.100.1", 9)), ["ip route del prohibit 198.51.100.0/24"]),
    ("unreachable-route", ["ip route add unreachable 198.51.100.0/24"],
     lambda: udp().sendto(b"x", ("198.51.100.1", 9)), ["ip route del unreachable 198.51.100.0/24"]),
    ("blackhole-route", ["ip route add blackhole 198.51.100.0/24"],
     lambda: udp().sendto(b"x", ("198.51.100.1", 9)), ["ip route del blackhole 198.51.100.0/24"]),
    ("throw-route", ["ip route add throw 198.51.100.0/24"],
     lambda: udp().sendto(b"x", ("198.51.100.1", 9)), ["ip route del throw 198.51.100.0/24"]),
    ("interface-admin-down", ["ip link set eth1 down"],
     lambda: udp().sendto(b"x", ("10.1.0.1", 9)), ["ip link set eth1 up"]),
    ("gateway-route-device-down", ["ip route add 198.51.100.0/24 via 10.1.0.1", "ip link set eth1 down"],
     lambda: udp().sendto(b"x", ("198.51.100.1", 9)), ["ip link set eth1 up"]),
    ("message-65507-bytes", [], lambda: udp().sendto(b"x" * 65507, ("10.0.0.1", 9)), []),
    ("message-65508-bytes", [], lambda: udp().sendto(b"x" * 65508, ("10.0.0.1", 9)), []),
    ("broadcast-without-SO_BROADCAST", [], lambda: udp().sendto(b"x", ("10.0.0.255", 9)), []),
    ("broadcast-with-SO_BROADCAST", [], broadcast_allowed, []),
    ("destination-port-0", [], lambda: udp().sendto(b"x", ("10.0.0.1", 0)), []),
    ("bind-nonlocal-address", [], lambda: udp().bind(("10.0.0.99", 0)), []),
    ("bind-nonlocal-IP_FREEBIND-then-sendto", [], freebind, []),
    ("IP_PKTINFO-spec_dst-nonlocal", [],
     lambda: udp().sendmsg([b"x"], pktinfo(0, "10.0.0.99"), 0, ("10.0.0.1", 9)), []),
    ("IP_PKTINFO-spec_dst-other-interface", [],
     lambda: udp().sendmsg([b"x"], pktinfo(0, "10.1.0.2"), 0, ("10.0.0.1", 9)), []),
    ("IP_PKTINFO-ifindex-eth1-to-eth0-subnet", [],
     lambda: udp().sendmsg([b"x"], pktinfo(ifindex("eth1"), "0.0.0.0"), 0, ("10.0.0.1", 9)), []),
    ("IP_PKTINFO-ifindex-down-device", ["ip link set eth1 down"],
     lambda: udp().sendmsg([b"x"], pktinfo(ifindex("eth1"), "0.0.0.0"), 0, ("10.1.0.1", 9)), ["ip link set eth1 up"]),
    ("SO_BINDTODEVICE-no-route-on-device", ["ip route add default via 10.0.0.1"],
     lambda: bound_to("eth1").sendto(b"x", ("198.51.100.1", 9)), ["ip route del default via 10.0.0.1"]),
    ("SO_BINDTODEVICE-no-route-at-all", [],
     lambda: bound_to("eth1").sendto(b"x", ("198.51.100.1", 9)), []),
    ("SO_BINDTODEVICE-on-link-of-other-device", [],
     lambda: bound_to("eth1").sendto(b"x", ("10.0.0.1", 9)), []),
    ("SO_BINDTODEVICE-device-down", ["ip link set eth1 down"],
     lambda: bound_to("eth1").sendto(b"x", ("10.1.0.1", 9)), ["ip link set eth1 up"]),
    ("connect-no-route", [], lambda: udp().connect(("198.51.100.1", 9)), []),
    ("connected-port-unreachable-then-send", [], refused, []),
    # The subnet route survives (10.0.0.3 is promoted): only the socket's source is gone.
    ("connected-source-deleted-subnet-route-stays",
     ["sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1", "ip addr add 10.0.0.3/24 dev eth0"],
     lambda: connected_then_delete(["ip addr del 10.0.0.2/24 dev eth0"]),
     ["ip addr del 10.0.0.3/24 dev eth0", "ip addr add 10.0.0.2/24 dev eth0",
      "sysctl -qw net.ipv4.conf.eth0.promote_secondaries=0"]),
    ("unconnected-after-source-deleted-subnet-route-stays",
     ["sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1", "ip addr add 10.0.0.3/24 dev eth0",
      "ip addr del 10.0.0.2/24 dev eth0"],
     lambda: udp().sendto(b"x", ("10.0.0.1", 9)),
     ["ip addr del 10.0.0.3/24 dev eth0", "ip addr add 10.0.0.2/24 dev eth0",
      "sysctl -qw net.ipv4.conf.eth0.promote_secondaries=0"]),
    ("connected-source-deleted-route-elsewhere",
     ["ip route add default via 10.1.0.1"],
     lambda: connected_then_delete(["ip addr del 10.0.0.2/24 dev eth0"]),
     ["ip addr add 10.0.0.2/24 dev eth0", "ip route del default via 10.1.0.1"]),
    ("unconnected-after-source-deleted-route-elsewhere",
     ["ip route add default via 10.1.0.1", "ip addr del 10.0.0.2/24 dev eth0"],
     lambda: udp().sendto(b"x", ("10.0.0.1", 9)),
     ["ip addr add 10.0.0.2/24 dev eth0", "ip route del default via 10.1.0.1"]),
    ("connected-address-readded", [],
     lambda: connected_then_delete(["ip addr del 10.0.0.2/24 dev eth0", "ip addr add 10.0.0.2/24 dev eth0"]), []),
]

print("# CASE: RESULT   (set-up commands indented below; a listener on 10.0.0.1:9 and 10.1.0.1:9)")
for name, setup, call, undo in CASES:
    for cmd in setup:
        lab.sh("host", cmd)
    try:
        try:
            final = call()
            outcome = result(final) if callable(final) else "OK"
        except OSError as e:
            outcome = errno.errorcode.get(e.errno, str(e.errno))
        print(f"{name}: {outcome}")
        for cmd in setup:
            print(f"    {cmd}")
    finally:
        for cmd in undo:
            lab.run("host", cmd)
