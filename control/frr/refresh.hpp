// The vtysh commands that ask the carriers to send their routes again (route refresh,
// RFC 2918/7313) without resetting the sessions: what the route feed does when it cannot
// know what a carrier still has (docs/frr.md, "Resynchronising without flushing").
#pragma once

#include <string>
#include <vector>

#include "common/config/model.hpp"

namespace tsunagi::frr {

// Every session of the node: Option-B carriers' VPN families in one command each (so each
// peer begins both families' refresh before ending either), the EVPN sessions' L2VPN EVPN,
// and every Option-A VRF's.
std::vector<std::string> refresh_all(const config::Config& cfg);

// One session: an Option-B peer (link null) or one Option-A link of `peer`.
std::vector<std::string> refresh_session(const config::Config& cfg, const config::Peer& peer,
                                         const config::OptionAVrf* link);

// One EVPN session's routes (docs/evpn.md).
std::vector<std::string> refresh_evpn(const config::IpAddr& peer);

}  // namespace tsunagi::frr
