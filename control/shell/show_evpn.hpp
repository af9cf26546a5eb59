// The EVPN show commands (docs/shell.md, docs/evpn.md): what BGP EVPN gave the node, per
// VNI, per MAC and per remote VTEP, as documents and text like the other show commands.
#pragma once

#include <string>

#include "control/shell/show_commands.hpp"

namespace tsunagi::shell {

Shown show_evpn_vni(const Backend& b);
// `tenant` empty: every EVPN tenant's.
Shown show_evpn_mac(const Backend& b, const std::string& tenant);
Shown show_evpn_vteps(const Backend& b);

std::string evpn_vni_text(const Json& d);
std::string evpn_mac_text(const Json& d);
std::string evpn_vteps_text(const Json& d);

}  // namespace tsunagi::shell
