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
SIGTERM/SIGINT and before the build when a previous run left some behind (all of it is netns.py's
Lab: add_p2p for the links, add_segment for the LANs). Needs root and iproute2.
Usage: run-scenario.py SCENARIO.json [TAG [TIMES.json]]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from netns import Lab, mac, show  # noqa: E402


def build(lab, scenario):
    names = [n["name"] for n in scenario["nodes"]]
    interfaces = {name: [] for name in names}

    def claim(endpoint):
        node, ifname = endpoint.split(":")
        interfaces[node].append(ifname)
        return node, ifname, mac(names.index(node) + 1, len(interfaces[node]))

    for name in names:
        lab.add_node(name)
    for link in scenario.get("links", []):
        lab.add_p2p(claim(link["ends"][0]), claim(link["ends"][1]))
    lans = scenario.get("lans", [])
    if lans:
        lab.add_node("sw")
        # The bridge and its ports would send IGMP reports (from 0.0.0.0) to every member; netloom's
        # switch is no host.
        lab.sh("sw", "sysctl -qw net.ipv4.igmp_link_local_mcast_reports=0")
    for lan in lans:
        lab.add_segment(lan["name"][:10], [claim(member) for member in lan["members"]])
    for node in scenario["nodes"]:
        if node.get("kind") == "router":
            lab.sh(node["name"], "sysctl -qw net.ipv4.ip_forward=1")
        for cmd in node.get("setup", []):
            lab.sh(node["name"], cmd)


def main():
    scenario = json.load(open(sys.argv[1]))
    lab = Lab(f"mn-{sys.argv[2] if len(sys.argv) > 2 else scenario['name'][:8]}-", timeout=60)
    build(lab, scenario)
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
            status, out, err = lab.run(step["node"], step["cmd"])
            show(f"{step['node']}: {step['cmd']}", status, out, err)
    sys.stdout.flush()
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            json.dump(times, f)


if __name__ == "__main__":
    main()
