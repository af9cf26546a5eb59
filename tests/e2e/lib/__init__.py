"""Helpers for the end-to-end tests (tests/e2e/). One job per module:

netns     network namespaces, veth pairs, bridges, vxlan devices; guaranteed cleanup
procs     starting, waiting for, signalling and restarting processes in namespaces
pinger    continuous ping with exact sent/received/loss accounting (also a script)
tcpxfer   TCP transfer with a checksum check between namespaces (also a script)
yamlcfg   the Tsunagi YAML for the test topology
topo      the standard test topology (DESIGN.md §8) built from the above
"""
