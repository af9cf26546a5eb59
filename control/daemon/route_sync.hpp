// The carriers' routes on their way to the tables (docs/frr.md): bgpd's mirror (BMP) into the
// RIB, and each imported route written into a table slot with its next hops resolved, with a
// memo of the MAC each carrier next hop resolved to so routes through one that moves are
// rewritten.
#pragma once

#include <poll.h>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/model.hpp"
#include "control/compile/table_writer.hpp"
#include "control/routes/bmp_listener.hpp"
#include "control/routes/evpn_rib.hpp"
#include "control/routes/feed_sync.hpp"
#include "control/routes/resync.hpp"
#include "control/routes/vpn_rib.hpp"

namespace tsunagi::control {

class RouteSync {
public:
	// `cfg` must outlive the RIB or the next configure() (vpn_rib.hpp).
	RouteSync(std::unique_ptr<routes::BmpListener> feed, const config::Config& cfg)
	    : feed_(std::move(feed)), rib_(cfg)
	{
	}

	uint16_t feed_port() const { return feed_->port(); }
	void configure(const config::Config& cfg) { rib_.configure(cfg); }
	void add_fds(std::vector<pollfd>& fds) const { feed_->add_fds(fds); }

	// Takes what bgpd mirrored since the last call into the RIB; `ask` sends route
	// refresh requests to FRR.
	void serve(const config::Config& cfg, const routes::ResyncTimers& timers,
	           const std::function<void(const std::vector<std::string>&)>& ask);
	// Whether every carrier has sent its routes again since the feed connected.
	bool synced() const;

	std::vector<routes::TenantPrefix> take_changed() { return rib_.take_changed(); }
	std::vector<routes::TenantPrefix> all_imported() const { return rib_.all_imported(); }
	// Imported routes by family (IPv4, IPv6): the room a new image must have.
	std::array<uint64_t, 2> counts() const;

	// Writes one imported route as the RIB has it now into `w` (whose image is of `cfg`);
	// false when the image has no room.
	bool write(compile::TableWriter& w, const config::Config& cfg,
	           const routes::TenantPrefix& tp, uint64_t gen,
	           const std::vector<config::Neighbor>& learned);
	// Every imported route into a new image; returns how many fitted.
	size_t write_all(compile::TableWriter& w, const config::Config& cfg, uint64_t gen,
	                 const std::vector<config::Neighbor>& learned);
	// The routes whose carrier next hop now resolves to another MAC than when written.
	std::vector<routes::TenantPrefix> moved_hops(
	    const config::Config& cfg, const std::vector<config::Neighbor>& learned) const;

	const routes::VpnRib& rib() const { return rib_; }
	// The EVPN routes of the sessions (docs/evpn.md), and what changed of them.
	const routes::EvpnRib& evpn() const { return evpn_; }
	routes::EvpnChanges take_evpn_changed() { return evpn_.take_changed(); }
	// The addresses of the sessions the feed has seen up since it connected.
	std::vector<config::IpAddr> sessions_up() const;
	// The feed's and the RIB's counters as one log line (SIGUSR1).
	std::string counters_line() const;

private:
	static uint64_t now_ms();

	std::unique_ptr<routes::BmpListener> feed_;
	routes::VpnRib rib_;
	routes::EvpnRib evpn_;
	routes::FeedSync sync_;  // whether the carriers are back since the feed connected
	routes::ResyncTimers timers_;
	// The MAC each carrier next hop in use resolved to ("port.vlan address" → dst MAC,
	// empty while unresolved).
	std::map<std::string, std::string> hop_macs_;
};

}  // namespace tsunagi::control
