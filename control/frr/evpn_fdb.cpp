#include "control/frr/evpn_fdb.hpp"

#include <sstream>
#include <unordered_set>

#include "common/config/values.hpp"
#include "control/frr/evpn_devices.hpp"
#include "control/frr/supervisor.hpp"

namespace tsunagi::frr {

std::set<ShadowMac> parse_shadow_fdb(std::string_view show)
{
	// "02:aa:00:00:01:01 dev tsp100 master tsb100 static": the port's own entries (the
	// device's address, `permanent`) and the vxlan devices' are not ours.
	std::set<ShadowMac> out;
	std::istringstream in{std::string(show)};
	for (std::string line; std::getline(in, line);) {
		std::istringstream words(line);
		std::string mac_word, w, dev;
		words >> mac_word;
		bool master = false, is_static = false;
		while (words >> w) {
			if (w == "dev") {
				words >> dev;
			} else if (w == "master") {
				master = true;
			} else if (w == "static") {
				is_static = true;
			}
		}
		const auto mac = config::parse_mac(mac_word);
		const auto vni = shadow_vni(dev);
		if (mac && vni && master && is_static && dev == shadow_names(*vni).port) {
			out.insert({*vni, *mac});
		}
	}
	return out;
}

std::set<ShadowMac> evpn_local_macs(const abi::TableView& t, const config::Config& cfg,
                                    const std::unordered_map<uint64_t, uint32_t>& learned,
                                    uint32_t epoch)
{
	std::set<ShadowMac> out;
	if (!t.valid() || t.header().id_epoch != epoch) {
		return out;
	}
	std::unordered_set<uint32_t> evpn_vnis;
	for (const auto& ten : cfg.tenants) {
		if (ten.evpn) {
			evpn_vnis.insert(ten.vni);
		}
	}
	if (evpn_vnis.empty()) {
		return out;
	}
	for (const auto& [key, member] : learned) {
		const uint32_t tenant = uint32_t(key >> 48);
		if (tenant >= t.tenants.size || member >= t.members.size) {
			continue;
		}
		const abi::TenantEntry& te = t.tenants[tenant];
		const abi::MemberEntry& me = t.members[member];
		// A MAC learned behind a VTEP is another node's to advertise.
		const bool local =
		    me.kind == abi::MemberKind::attachment || me.kind == abi::MemberKind::trunk;
		if (te.live != 0 && me.tenant == tenant && local && evpn_vnis.contains(te.vni)) {
			config::Mac mac;
			abi::mac_of_key(key, mac.bytes.data());
			out.insert({te.vni, mac});
		}
	}
	return out;
}

std::vector<std::string> fdb_lines(const std::set<ShadowMac>& have, const std::set<ShadowMac>& want)
{
	std::vector<std::string> out;
	for (const ShadowMac& m : have) {
		if (!want.contains(m)) {
			out.push_back("fdb del " + config::to_string(m.mac) + " dev " +
			              shadow_names(m.vni).port + " master");
		}
	}
	for (const ShadowMac& m : want) {
		if (!have.contains(m)) {
			out.push_back("fdb replace " + config::to_string(m.mac) + " dev " +
			              shadow_names(m.vni).port + " master static");
		}
	}
	return out;
}

std::map<uint32_t, uint64_t> EvpnFdb::per_vni() const
{
	std::map<uint32_t, uint64_t> out;
	for (const ShadowMac& m : entries()) {
		++out[m.vni];
	}
	return out;
}

bool EvpnFdb::sync(const std::set<ShadowMac>& want, std::vector<std::string>& log)
{
	if (!have_) {
		std::string out;
		if (run_command({bridge_, "fdb", "show"}, out) != 0) {
			log.push_back("EVPN local MACs: bridge fdb show: " + out.substr(0, 300));
			return false;
		}
		have_ = parse_shadow_fdb(out);
		if (!have_->empty()) {
			log.push_back("EVPN local MACs: " + std::to_string(have_->size()) +
			              " already on the shadow ports");
		}
	}
	const auto lines = fdb_lines(*have_, want);
	if (lines.empty()) {
		return true;
	}
	std::string out;
	if (run_batch(bridge_, lines, out) != 0) {
		// Some line failed (a port gone with its tenant): read back what is there.
		log.push_back("EVPN local MACs: bridge -batch: " + out.substr(0, 300));
		have_.reset();
		return false;
	}
	uint64_t add = 0, del = 0;
	for (const auto& l : lines) {
		(l.rfind("fdb del", 0) == 0 ? del : add)++;
	}
	added_ += add;
	removed_ += del;
	*have_ = want;
	log.push_back("EVPN local MACs: " + std::to_string(add) + " put on the shadow ports, " +
	              std::to_string(del) + " taken off");
	return true;
}

}  // namespace tsunagi::frr
