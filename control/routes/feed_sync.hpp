// Whether the carriers have sent their routes again since the feed (re)connected: a
// restarted tsunagid keeps the dataplane on the tables it left until they have (docs/frr.md).
// A session is back when it has ended every route refresh it began (End-of-Route-Refresh),
// or sent End-of-RIB, or, when it sends neither, sent routes and then stayed quiet for the
// settle time. A session that carries VPN routes is judged by them alone; one that carries
// only L2VPN EVPN (a route reflector's) by its EVPN routes and markers: an EVPN End-of-RIB
// must not stand for the VPN table's.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "control/routes/bmp.hpp"

namespace tsunagi::routes {

class FeedSync {
public:
	void connected(uint64_t now_ms);
	void apply(const Event& e, uint64_t now_ms);
	bool synced(uint64_t now_ms, uint64_t settle_ms) const;
	// The sessions the feed has seen up since it connected.
	std::vector<PeerId> up() const;

private:
	struct Part {
		std::set<Family> begun, done;
		uint64_t heard = 0;  // the last routes it sent; 0: none yet
		bool seen() const { return heard != 0 || !begun.empty() || !done.empty(); }
		bool back(uint64_t now_ms, uint64_t settle_ms) const;
	};
	struct Peer {
		Part vpn, evpn;
	};
	bool connected_ = false;
	uint64_t connected_at_ = 0;
	std::map<PeerId, Peer> peers_;

	Part& part(const Event& e);
};

}  // namespace tsunagi::routes
