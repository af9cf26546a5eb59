"""The Tsunagi YAML for a test topology (DESIGN.md §5).

`dump(obj)` writes block-style YAML with every string double-quoted (so MACs, addresses
and VNIs-as-strings are never re-typed by a YAML 1.1 reader); `node_config(...)` builds
the configuration dict; `write(path, cfg)` writes it atomically (rename), so a daemon
reading the file on SIGHUP never sees half of it.
"""
import json
import os


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v is None:
        return "null"
    return json.dumps(str(v))


def _flow(v):
    if isinstance(v, dict):
        return "{ " + ", ".join("%s: %s" % (k, _flow(x)) for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def _emit(v, indent, out):
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, dict) and x:
                out.append("%s%s:" % (pad, k))
                _emit(x, indent + 2, out)
            elif isinstance(x, list) and x and any(isinstance(i, (dict, list)) for i in x):
                out.append("%s%s:" % (pad, k))
                _emit(x, indent + 2, out)
            else:
                out.append("%s%s: %s" % (pad, k, _flow(x)))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict):
                # small dicts of scalars on one line (like config/examples), others as blocks
                if all(not isinstance(i, (dict, list)) or (isinstance(i, list) and
                                                           all(not isinstance(j, (dict, list)) for j in i))
                       for i in x.values()) and len(_flow(x)) < 110:
                    out.append("%s- %s" % (pad, _flow(x)))
                else:
                    sub = []
                    _emit(x, indent + 2, sub)
                    sub[0] = pad + "- " + sub[0][indent + 2:]
                    out.extend(sub)
            else:
                out.append("%s- %s" % (pad, _flow(x)))
    else:
        out.append(pad + _scalar(v))


def dump(obj, header=None):
    out = []
    if header:
        out += ["# " + ln for ln in header.splitlines()]
    _emit(obj, 0, out)
    return "\n".join(out) + "\n"


def write(path, cfg, header=None):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(dump(cfg, header))
    os.replace(tmp, path)


def node_config(name, runtime_dir, vtep, ports, neighbors, tenants, eal=None):
    """ports: dicts (name, role, device, mac, [address, mtu]); neighbors: dicts (port, address,
    mac); tenants: dicts (name, vni, hybrid_vlan, attachments, vteps)."""
    node = {"name": name, "asn": 65000, "router_id": "10.255.0.1", "vtep": vtep, "runtime_dir": runtime_dir,
            "metrics": "127.0.0.1:9469"}
    if eal:
        node["eal"] = eal
    cfg = {"node": node, "ports": ports}
    if neighbors:
        cfg["neighbors"] = neighbors
    cfg["tenants"] = tenants
    return cfg
