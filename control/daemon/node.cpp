#include "control/daemon/node.hpp"

#include <pwd.h>

#include <algorithm>

#include "common/abi/counters.hpp"
#include "control/compile/compiler.hpp"
#include "control/daemon/log.hpp"
#include "control/reload/running_file.hpp"
#include "control/routes/evpn_tenants.hpp"

namespace tsunagi::control {

namespace {

uint64_t since_us(std::chrono::steady_clock::time_point t0)
{
	return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
	                    std::chrono::steady_clock::now() - t0)
	                    .count());
}

}  // namespace

Node::Node(std::string path, size_t max_config_bytes, config::Config cfg, shm::Publisher pub,
           std::vector<std::string>& startup_log)
    : cfg_(std::move(cfg)),
      names_(shm::names_for(cfg_.node.runtime_dir)),
      tables_(std::move(pub)),
      dataplane_(names_),
      reloader_(
          std::move(path), max_config_bytes, cfg_.node.runtime_dir, *this,
          [](const std::string& l) { log(l); }, startup_log)
{
}

void Node::hold_first_publication(std::string text, uint64_t max_ms)
{
	held_ = std::move(text);
	hold_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
	log("keeping the published tables until the carriers' routes are back");
}

void Node::learn_port_macs()
{
	dataplane_.open();
	dataplane_.learn_port_macs(cfg_);
}

bool Node::start_frr(const std::string& dir, uint16_t bmp_port)
{
	std::string err;
	const passwd* frr_user = getpwnam("frr");
	auto feed = routes::BmpListener::open(
	    "127.0.0.1", bmp_port, err,
	    frr_user != nullptr ? std::optional<uid_t>(frr_user->pw_uid) : std::nullopt);
	if (!feed) {
		log(err);
		return false;
	}
	frr_ = FrrControl::prepare(cfg_, dir, err);
	if (!frr_) {
		log(err);
		return false;
	}
	routes_ = std::make_unique<RouteSync>(std::move(feed), cfg_);
	configure_frr();
	return true;
}

bool Node::serve_metrics(const metrics::ListenAddress& where, size_t max_tenants,
                         std::string& error)
{
	metrics_.reloaded(true, &cfg_);
	return metrics_.listen(
	    where, max_tenants,
	    [this] {
		    metrics::Sources s{
		        &cfg_,
		        tables_.view(),
		        tables_.generation(),
		        dataplane_.reader(),
		        routes_ ? &routes_->rib() : nullptr,
		        routes_ ? &routes_->evpn() : nullptr,
		        routes_ ? routes_->sessions_up() : std::vector<config::IpAddr>{},
		        evpn_local_.fdb().per_vni()};
		    return s;
	    },
	    error);
}

config::Config Node::for_tables(const config::Config& cfg) const
{
	return routes_ ? routes::with_evpn(cfg, routes_->evpn()) : cfg;
}

bool Node::apply(const config::Config& yaml, const std::string* text, bool new_image)
{
	const auto t0 = std::chrono::steady_clock::now();
	const config::Config cfg = for_tables(yaml);
	const uint64_t gen = tables_.generation() + 1;
	const auto learned = learned_neighbors();
	std::string how;
	std::optional<uint64_t> offset;
	if (!new_image && (offset = tables_.edit(cfg, learned, gen))) {
		how = "edited in place, " + std::to_string(tables_.writer()->take_bytes_written()) +
		      " bytes written";
	}
	if (!offset) {
		std::string err;
		if (!tables_.rebuild(cfg, learned, gen,
		                     routes_ ? routes_->counts() : std::array<uint64_t, 2>{0, 0},
		                     err)) {
			log("cannot publish tables: " + err + "; the running state stays");
			return false;
		}
		compile::TableWriter& w = *tables_.writer();
		offset = 0;
		how = "new image of " + std::to_string(w.layout().total) + " bytes";
		if (const size_t n = routes_ ? routes_->write_all(w, cfg, gen, learned) : 0;
		    n != 0) {
			offset = w.commit(gen);
			how += ", " + std::to_string(n) + " learned routes";
		}
		if (!offset) {
			log("cannot publish tables: the new image is full");
			return false;
		}
	}
	tables_.announce(*offset);
	log("published table generation " + std::to_string(gen) + " (" + how + ", in " +
	    std::to_string(since_us(t0)) + " us)");
	if (text != nullptr) {
		write_running(yaml.node.runtime_dir, *text);
	}
	return true;
}

bool Node::put_in_force(config::Config next, const std::string& text,
                        const std::function<void(std::string)>& say)
{
	// What the dataplane reported of the ports' devices is not in the YAML: it stays.
	for (auto& p : next.ports) {
		for (const auto& q : cfg_.ports) {
			if (p.name == q.name && p.device == q.device) {
				p.device_mac = q.device_mac;
			}
		}
	}
	if (held_) {
		cfg_ = std::move(next);
		held_ = text;
		if (routes_) {
			routes_->configure(cfg_);
		}
		say("to be published when the hold ends");
		return true;
	}
	if (!apply(next, &text)) {
		say("the running configuration stays");
		return false;
	}
	const bool same_peers = compile::same_vrf_context(cfg_, next);
	cfg_ = std::move(next);
	if (routes_) {
		routes_->configure(cfg_);
		// Peers or neighbours changed: every route's next hop may have.
		publish_routes(same_peers ? std::vector<routes::TenantPrefix>{}
		                          : routes_->all_imported());
	}
	configure_frr();
	say("applied");
	return true;
}

void Node::add_fds(std::vector<pollfd>& fds) const
{
	if (routes_) {
		routes_->add_fds(fds);
	}
	metrics_.add_fds(fds);
}

void Node::neighbors_changed()
{
	if (!neighbors_.process(vrfs())) {
		return;
	}
	if (held_) {
		return;  // published with everything else when the hold ends
	}
	const auto learned = learned_neighbors();
	log("neighbours changed (" + std::to_string(learned.size()) + " learned); republishing");
	apply(cfg_, nullptr);
	if (routes_) {
		publish_routes(routes_->moved_hops(cfg_, learned));
	}
}

void Node::look_after()
{
	neighbors_.probe_unresolved(cfg_);
	if (frr_) {
		frr_->supervise(cfg_);
	}
}

void Node::serve_feed(const routes::ResyncTimers& timers)
{
	if (!routes_) {
		return;
	}
	routes_->serve(cfg_, timers,
	               [this](const std::vector<std::string>& commands) { frr_->ask(commands); });
	publish_routes();
	publish_evpn();
	if (cfg_.node.evpn) {  // collect() opens the dataplane's segment
		for (const auto& l : evpn_local_.pass(dataplane_.reader(), tables_.view(), cfg_)) {
			log(l);
		}
	}
}

void Node::release_hold()
{
	if (!held_) {
		return;
	}
	const bool synced = routes_ && routes_->synced();
	if (!synced && std::chrono::steady_clock::now() < hold_until_) {
		return;
	}
	log(synced ? "the carriers' routes are back; publishing"
	           : "the carriers' routes did not all come back in time; publishing what there "
	             "is");
	const std::string text = *held_;
	held_.reset();
	if (!apply(cfg_, &text)) {
		held_ = text;  // tried again on the next pass of the loop
		return;
	}
	if (routes_) {
		routes_->take_changed();  // the new image has them all
		routes_->take_evpn_changed();
	}
	configure_frr();
}

void Node::collect()
{
	dataplane_.open();
	if (dataplane_.learn_port_macs(cfg_) && !held_ && tables_.writer() != nullptr) {
		apply(cfg_, nullptr);
	}
	const uint64_t in_use = dataplane_.in_use_generation();
	tables_.collect(in_use);
	metrics_.dataplane_seen(tables_.generation(), tables_.publish_ns(), in_use,
	                        dataplane_.in_use_ns());
	dataplane_.forget_if_gone();
}

void Node::log_counters() const
{
	const auto plane = dataplane();
	std::string line = "drops:";
	for (size_t r = 0; plane && r < dp::kDropCount; ++r) {
		if (plane->totals.drops[r] != 0) {
			line += " " + std::string(dp::kDropNames[r]) + "=" +
			        std::to_string(plane->totals.drops[r]);
		}
	}
	log(line);
	if (plane) {
		line = "ports (rx/tx/punted packets):";
		for (size_t p = 0; p < cfg_.ports.size() && p < plane->totals.ports.size(); ++p) {
			line += " " + cfg_.ports[p].name + " " +
			        std::to_string(plane->totals.ports[p].rx_packets) + "/" +
			        std::to_string(plane->totals.ports[p].tx_packets) + "/" +
			        std::to_string(plane->totals.punted[p]);
		}
		log(line);
	}
	if (routes_) {
		log(routes_->counters_line());
	}
}

std::optional<uint64_t> Node::update_latency_us() const
{
	return dataplane_.update_latency_us(tables_.generation(), tables_.publish_ns());
}

std::optional<shell::DataplaneState> Node::dataplane() const
{
	return dataplane_.state(tables_.view(), cfg_.ports.size());
}

std::vector<config::Neighbor> Node::learned_neighbors() const
{
	return neighbors_.learned(vrfs());
}

std::optional<std::string> Node::vtysh(const std::string& command) const
{
	if (!frr_) {
		return std::nullopt;
	}
	return frr_->vtysh(command);
}

std::optional<std::vector<shell::EvpnTenant>> Node::evpn() const
{
	if (!routes_ || !cfg_.node.evpn) {
		return std::nullopt;
	}
	std::vector<shell::EvpnTenant> out;
	for (const auto& t : cfg_.tenants) {
		if (!t.evpn) {
			continue;
		}
		routes::EvpnUse use = routes::evpn_use(t, cfg_.node, routes_->evpn());
		shell::EvpnTenant e{
		    t.name, t.vni, t.vrf ? t.vrf->l3_vni : 0, std::move(use.flood), {}};
		for (auto& [mac, r] : use.macs) {
			e.macs.push_back({mac, r.vtep, r.sticky, r.seq, std::move(r.ips)});
		}
		const auto& local = evpn_local_.fdb().entries();
		for (auto it = local.lower_bound({t.vni, {}});
		     it != local.end() && it->vni == t.vni; ++it) {
			e.local.push_back(it->mac);
		}
		out.push_back(std::move(e));
	}
	return out;
}

void Node::publish_routes(std::vector<routes::TenantPrefix> changed)
{
	compile::TableWriter* w = tables_.writer();
	if (!routes_ || w == nullptr) {
		return;
	}
	for (auto& tp : routes_->take_changed()) {
		changed.push_back(std::move(tp));
	}
	if (changed.empty()) {
		return;
	}
	const auto t0 = std::chrono::steady_clock::now();
	const uint64_t gen = tables_.generation() + 1;
	const auto learned = learned_neighbors();
	for (const auto& tp : changed) {
		if (!routes_->write(*w, cfg_, tp, gen, learned)) {
			image_full();
			return;
		}
	}
	publish_edits(*w, gen, std::to_string(changed.size()) + " routes from the carriers", t0,
	              "; " + std::to_string(routes_->rib().imported()) + " imported routes");
}

void Node::image_full()
{
	log("the table image is full; building a new one");
	apply(cfg_, nullptr, true);
}

void Node::publish_edits(compile::TableWriter& w, uint64_t gen, const std::string& what,
                         std::chrono::steady_clock::time_point t0, const std::string& tail)
{
	const auto offset = w.commit(gen);
	if (!offset) {
		image_full();
		return;
	}
	tables_.announce(*offset);
	log("published table generation " + std::to_string(gen) + " (" + what + ", " +
	    std::to_string(w.take_bytes_written()) + " bytes written, in " +
	    std::to_string(since_us(t0)) + " us" + tail + ")");
}

void Node::publish_evpn()
{
	compile::TableWriter* w = tables_.writer();
	if (!routes_ || w == nullptr || held_) {
		return;  // a held first publication takes the RIB as it is when the hold ends
	}
	const auto changed = routes::evpn_tenants_changed(cfg_, routes_->take_evpn_changed());
	if (changed.empty()) {
		return;
	}
	const auto t0 = std::chrono::steady_clock::now();
	const uint64_t gen = tables_.generation() + 1;
	size_t vteps = 0, macs = 0;
	for (const size_t i : changed) {
		const config::Tenant t =
		    routes::with_evpn(cfg_.tenants[i], cfg_.node, routes_->evpn());
		vteps += t.vteps.size() - cfg_.tenants[i].vteps.size();
		macs += t.static_macs.size() - cfg_.tenants[i].static_macs.size();
		if (!w->upsert_tenant(t, gen)) {
			image_full();
			return;
		}
	}
	publish_edits(*w, gen,
	              std::to_string(changed.size()) + " EVPN tenants, now with " +
	                  std::to_string(vteps) + " remote VTEPs and " + std::to_string(macs) +
	                  " remote MACs",
	              t0);
}

void Node::configure_frr()
{
	if (frr_) {
		frr_->configure(cfg_, tables_.view(), routes_->feed_port());
	}
}

}  // namespace tsunagi::control
