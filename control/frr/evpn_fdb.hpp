// The node's local MACs as zebra must see them to advertise them over BGP EVPN (type 2):
// static FDB entries on each EVPN tenant's shadow port tsp<VNI> (evpn_devices.hpp), put
// there with `bridge fdb replace … master static` (`../shared/notes/frr-8.4-evpn-on-this-
// kernel.md`, section 2: replace also takes over a MAC zebra installed as remote, which is
// how a move to this node is announced). Only entries on tsp<VNI> ports are read or
// changed; nothing else in the kernel's FDB is tsunagid's.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"

namespace tsunagi::frr {

struct ShadowMac {
	uint32_t vni;
	config::Mac mac;
	auto operator<=>(const ShadowMac&) const = default;
};

// The static entries on shadow ports in `bridge fdb show` output.
std::set<ShadowMac> parse_shadow_fdb(std::string_view show);

// The MACs of `learned` (entries of id epoch `epoch`) that the node advertises: those on an
// attachment or trunk member of an EVPN tenant of `cfg`, by the tenant's VNI. None when
// `t` numbers its members in another epoch.
std::set<ShadowMac> evpn_local_macs(const abi::TableView& t, const config::Config& cfg,
                                    const std::unordered_map<uint64_t, uint32_t>& learned,
                                    uint32_t epoch);

// `bridge -batch` lines that take the entries from `have` to `want`.
std::vector<std::string> fdb_lines(const std::set<ShadowMac>& have,
                                   const std::set<ShadowMac>& want);

class EvpnFdb {
public:
	explicit EvpnFdb(std::string bridge = "/usr/sbin/bridge") : bridge_(std::move(bridge)) {}

	// Puts `want` on the shadow ports, reading what is there first on the first call (a
	// restarted tsunagid keeps what its predecessor put, and withdraws nothing that
	// stays). Says what it did in `log`; false when it could not do all of it (it reads
	// what is there again next time).
	bool sync(const std::set<ShadowMac>& want, std::vector<std::string>& log);

	// What is there, as far as this process knows; empty before the first sync.
	size_t size() const { return have_ ? have_->size() : 0; }
	const std::set<ShadowMac>& entries() const
	{
		static const std::set<ShadowMac> none;
		return have_ ? *have_ : none;
	}
	// The count of entries per VNI.
	std::map<uint32_t, uint64_t> per_vni() const;
	// Entries put and removed so far.
	uint64_t added() const { return added_; }
	uint64_t removed() const { return removed_; }

private:
	std::string bridge_;
	std::optional<std::set<ShadowMac>> have_;
	uint64_t added_ = 0;
	uint64_t removed_ = 0;
};

}  // namespace tsunagi::frr
