"""Helpers shared by the kernel ground-truth scripts in test/kernel/: build a topology file's nodes as
network namespaces on the real Linux kernel and run commands in them.

A LAN or a point-to-point link becomes a bridge in a helper namespace; every node interface is one end
of a veth pair whose other end is a port of that bridge, so frames cross the kernel's real bridge as they
cross netloom's switch. Interface MACs are the ones netloom derives (02:00:00:<node>:<interface>, both
counted from 1 in file order), so neighbour tables read the same in both. IPv6 is disabled unless a
script asks for it (Lab(prefix, ipv6=True)): router solicitations and MLD would otherwise add packets
the scenarios do not have. The bridges' namespace never has it.

A point-to-point link can also be one veth pair joining the two nodes directly (add_p2p), so each
end's carrier follows the other end's admin state, as netloom's links do (multinode/run-scenario.py
builds its networks that way).

Namespaces are named with a per-script prefix starting `nlk-` (`mn-` for the multi-node scenarios)
and are always deleted (atexit and on SIGTERM/SIGINT), also when a previous run left some behind.
Needs root and iproute2. This is the one namespace lab of the Python scripts: extend it rather than
write another.
"""
import atexit
import os
import re
import signal
import subprocess
import sys
import time


def mac(node_index, if_index):
    """The MAC netloom derives for a node's interface: 02:00:00:<node>:<interface>, both from 1."""
    return "02:00:00:%02x:%02x:%02x" % ((node_index >> 8) & 0xff, node_index & 0xff, if_index & 0xff)


class Lab:
    def __init__(self, prefix, ipv6=False, timeout=30):
        assert prefix.startswith(("nlk-", "mn-"))
        self.prefix = prefix
        self.ipv6 = ipv6
        self.timeout = timeout
        self.names = []
        self.t0 = time.monotonic()
        if os.geteuid() != 0:
            print("SKIP: needs root", file=sys.stderr)
            sys.exit(77)
        self.cleanup()
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(1))

    # --- building -------------------------------------------------------------------------------
    def ns(self, node):
        return self.prefix + node

    def add_node(self, node):
        name = self.ns(node)
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.names.append(name)
        self.sh(node, "ip link set lo up")
        if not self.ipv6 or node == "sw":
            self.sh(node, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1")
            self.sh(node, "sysctl -qw net.ipv6.conf.default.disable_ipv6=1")

    def add_segment(self, seg, members):
        """members: list of (node, ifname, mac). One bridge per segment, in the helper namespace."""
        if self.ns("sw") not in self.names:
            self.add_node("sw")
        br = "br-" + seg
        self.sh("sw", f"ip link add {br} type bridge forward_delay 0 stp_state 0")
        self.sh("sw", f"ip link set {br} up")
        for i, (node, ifname, mac) in enumerate(members):
            port = f"{seg[:6]}-{i}"
            subprocess.run(["ip", "link", "add", ifname, "netns", self.ns(node), "address", mac, "type", "veth",
                            "peer", "name", port, "netns", self.ns("sw")], check=True)
            self.sh("sw", f"ip link set {port} master {br} up")

    def add_p2p(self, a, b):
        """a, b: (node, ifname, mac). One veth pair straight between the two nodes, no bridge."""
        (na, ia, ma), (nb, ib, mb) = a, b
        subprocess.run(["ip", "link", "add", ia, "netns", self.ns(na), "address", ma, "type", "veth",
                        "peer", "name", ib, "netns", self.ns(nb), "address", mb], check=True)

    def cleanup(self):
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            name = line.split()[0] if line.strip() else ""
            if name.startswith(self.prefix):
                subprocess.run(["ip", "netns", "del", name], capture_output=True)

    # --- running --------------------------------------------------------------------------------
    def run(self, node, cmd, timeout=None):
        """Runs a shell command line in the node's namespace; returns (status, stdout, stderr).
        The timeout (the lab's, 30 s unless given) only stops a command that hangs."""
        r = subprocess.run(["ip", "netns", "exec", self.ns(node), "sh", "-c", cmd],
                           capture_output=True, text=True, timeout=timeout or self.timeout)
        return r.returncode, r.stdout, r.stderr

    def sh(self, node, cmd):
        status, out, err = self.run(node, cmd)
        if status != 0:
            raise RuntimeError(f"{node}: {cmd}: {err.strip()}")
        return out

    def popen(self, node, argv):
        return subprocess.Popen(["ip", "netns", "exec", self.ns(node)] + argv,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def now(self):
        return time.monotonic() - self.t0


def show(label, status, out, err):
    """Prints one command's result as a block: `$ label`, its stdout lines, stderr lines prefixed `!`,
    and `[exit N]` when the status is not 0."""
    print(f"$ {label}")
    for line in out.splitlines():
        print(line)
    for line in err.splitlines():
        print("! " + line)
    if status != 0:
        print(f"[exit {status}]")


def hops(traceroute_out):
    """The hop lines of `traceroute -n -q 1` with the timings removed: ` 1  192.168.1.1`."""
    lines = []
    for line in traceroute_out.splitlines()[1:]:
        m = re.match(r"^\s*(\d+)\s+(\S+)", line)
        if m:
            lines.append(f"{int(m.group(1)):2d}  {m.group(2)}")
    return lines


def ping(lab, node, args):
    """Runs `ping -q ARGS` and prints only what does not depend on timing: `N received` and its status."""
    status, out, err = lab.run(node, f"ping -q {args}")
    m = re.search(r"(\d+) received", out)
    print(f"$ {node}: ping {args}")
    print(f"{m.group(1) if m else '?'} received")
    for line in err.splitlines():
        print("! " + line)
    if status != 0:
        print(f"[exit {status}]")
