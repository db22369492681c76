#!/usr/bin/env python3
"""Plays one multi-node scenario (a JSON file, see scenario.ts) on the real Linux kernel in network
namespaces and prints what the kernel did, in netns.py's transcript format (`$ node: cmd`, its stdout,
stderr lines prefixed `! `, `[exit N]` when not 0; `# ` notes).

The network is built as netloom defines its links (docs/topology-format.md, "What a link is"): a
point-to-point link is a veth pair joining the two nodes directly (so each end's carrier follows the
other end's admin state), a LAN is a Linux bridge (STP off, forward delay 0) in a helper namespace
with one veth pair per member. Interface MACs are the ones netloom derives (02:00:00:<node>:<if>, both
counted from 1, interfaces in order of appearance in the links, then the LANs). IPv6 is disabled
everywhere (netloom's nodes drop it: router solicitations and MLD would add frames). A `router` gets
net.ipv4.ip_forward=1, as netloom's preset. Then each node's setup commands run in order, then the
steps: a command, a `wait` (time.sleep: the steps follow the kernel's own timeline, the model's
advance() follows the same list), or a note.

Namespaces are named `mn-<tag>-<node>` (`mn-<tag>-sw` holds the bridges), deleted at exit, on
SIGTERM/SIGINT and before the build when a previous run left some behind. Needs root and iproute2.
Usage: run-scenario.py SCENARIO.json [TAG [TIMES.json]]
"""
import atexit
import json
import os
import signal
import subprocess
import sys
import time


class Network:
    def __init__(self, tag):
        self.prefix = f"mn-{tag}-"
        if os.geteuid() != 0:
            print("SKIP: needs root", file=sys.stderr)
            sys.exit(77)
        self.cleanup()
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(1))

    def ns(self, node):
        return self.prefix + node

    def cleanup(self):
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            name = line.split()[0] if line.strip() else ""
            if name.startswith(self.prefix):
                subprocess.run(["ip", "netns", "del", name], capture_output=True)

    def run(self, node, cmd, timeout=60):
        r = subprocess.run(["ip", "netns", "exec", self.ns(node), "sh", "-c", cmd],
                           capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr

    def sh(self, node, cmd):
        status, _, err = self.run(node, cmd)
        if status != 0:
            raise RuntimeError(f"{node}: {cmd}: {err.strip()}")

    def add_namespace(self, node):
        subprocess.run(["ip", "netns", "add", self.ns(node)], check=True)
        self.sh(node, "ip link set lo up")
        self.sh(node, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")


def mac(node_index, if_index):
    return "02:00:00:%02x:%02x:%02x" % ((node_index >> 8) & 0xff, node_index & 0xff, if_index & 0xff)


def build(net, scenario):
    names = [n["name"] for n in scenario["nodes"]]
    interfaces = {name: [] for name in names}

    def claim(endpoint):
        node, ifname = endpoint.split(":")
        interfaces[node].append(ifname)
        return node, ifname, mac(names.index(node) + 1, len(interfaces[node]))

    for name in names:
        net.add_namespace(name)
    for link in scenario.get("links", []):
        (na, ia, ma), (nb, ib, mb) = claim(link["ends"][0]), claim(link["ends"][1])
        subprocess.run(["ip", "link", "add", ia, "netns", net.ns(na), "address", ma, "type", "veth",
                        "peer", "name", ib, "netns", net.ns(nb), "address", mb], check=True)
    lans = scenario.get("lans", [])
    if lans:
        net.add_namespace("sw")
        # The bridge and its ports would send IGMP reports (from 0.0.0.0) to every member; netloom's
        # switch is no host.
        net.sh("sw", "sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0")
    for lan in lans:
        bridge = "br-" + lan["name"][:10]
        net.sh("sw", f"ip link add {bridge} type bridge forward_delay 0 stp_state 0")
        net.sh("sw", f"ip link set {bridge} up")
        for i, member in enumerate(lan["members"]):
            node, ifname, address = claim(member)
            port = f"{lan['name'][:6]}-{i}"
            subprocess.run(["ip", "link", "add", ifname, "netns", net.ns(node), "address", address, "type", "veth",
                            "peer", "name", port, "netns", net.ns("sw")], check=True)
            net.sh("sw", f"ip link set {port} master {bridge} up")
    for node in scenario["nodes"]:
        if node.get("kind") == "router":
            net.sh(node["name"], "sysctl -qw net.ipv4.ip_forward=1")
        for cmd in node.get("setup", []):
            net.sh(node["name"], cmd)


def show(label, status, out, err):
    print(f"$ {label}")
    for line in out.splitlines():
        print(line)
    for line in err.splitlines():
        print("! " + line)
    if status != 0:
        print(f"[exit {status}]")


def main():
    scenario = json.load(open(sys.argv[1]))
    net = Network(sys.argv[2] if len(sys.argv) > 2 else scenario["name"][:8])
    build(net, scenario)
    # With a third argument, the time of each step from the end of the build (s) is written there, so
    # that netloom can follow the kernel's own timeline step by step.
    times = []
    t0 = time.monotonic()
    for step in scenario["steps"]:
        times.append(round(time.monotonic() - t0, 4))
        if "wait" in step:
            time.sleep(step["wait"])
        elif "note" in step:
            print("# " + step["note"])
        else:
            status, out, err = net.run(step["node"], step["cmd"])
            show(f"{step['node']}: {step['cmd']}", status, out, err)
    sys.stdout.flush()
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            json.dump(times, f)


if __name__ == "__main__":
    main()
