#include "control/frr/refresh.hpp"

#include "common/config/values.hpp"
#include "control/frr/render.hpp"

namespace tsunagi::frr {

namespace {

std::string vrf_of(const config::Config& cfg, const std::string& tenant)
{
	for (const auto& t : cfg.tenants) {
		if (t.name == tenant) {
			return vrf_name(t);
		}
	}
	return tenant;
}

}  // namespace

std::vector<std::string> refresh_all(const config::Config& cfg)
{
	std::vector<std::string> out{"clear bgp ipv4 vpn * soft in",
	                             "clear bgp ipv6 vpn * soft in"};
	if (cfg.node.evpn) {
		out.push_back("clear bgp l2vpn evpn * soft in");
	}
	for (const auto& t : cfg.tenants) {
		if (t.vrf && has_option_a(cfg, t)) {
			for (const char* af : {"ipv4", "ipv6"}) {
				out.push_back("clear bgp vrf " + vrf_name(t) + " " + af +
				              " unicast * soft in");
			}
		}
	}
	return out;
}

std::vector<std::string> refresh_session(const config::Config& cfg, const config::Peer& peer,
                                         const config::OptionAVrf* link)
{
	std::vector<std::string> out;
	if (link != nullptr) {
		const std::string vrf = vrf_of(cfg, link->tenant);
		for (const char* af : {"ipv4", "ipv6"}) {
			out.push_back("clear bgp vrf " + vrf + " " + af + " unicast " +
			              config::to_string(link->neighbor) + " soft in");
		}
	} else if (peer.address) {
		for (const char* af : {"ipv4", "ipv6"}) {
			out.push_back(std::string("clear bgp ") + af + " vpn " +
			              config::to_string(*peer.address) + " soft in");
		}
	}
	return out;
}

std::vector<std::string> refresh_evpn(const config::IpAddr& peer)
{
	return {"clear bgp l2vpn evpn " + config::to_string(peer) + " soft in"};
}

}  // namespace tsunagi::frr
