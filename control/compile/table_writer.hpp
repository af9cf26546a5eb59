// Builds a table image and then keeps it current in place: adding, changing or removing a
// tenant writes that tenant's entries and nothing else, while the dataplane goes on reading
// (tables.hpp says which words are stored to and in which order). What cannot be done in
// place — a port or node change, or an image whose reserved room ran out — is reported, and
// the caller builds a new image (docs/shared-memory.md).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "common/abi/hash.hpp"
#include "common/abi/tables.hpp"
#include "common/config/model.hpp"
#include "control/compile/heap.hpp"
#include "control/compile/id_plan.hpp"
#include "control/compile/slot_editor.hpp"
#include "control/compile/static_mac_writer.hpp"
#include "control/compile/vrf_plan.hpp"

namespace tsunagi::compile {

// How big each section of an image for a configuration is. With `spare`, sections leave
// room for the configuration to grow in place (about half again its tenants and members, a
// third-full maps) and the heap room for many generations.
struct Layout {
	uint32_t tenants = 0;
	uint32_t members = 0;
	uint32_t vteps = 0;
	uint64_t names = 0;
	uint64_t access_slots = 0;
	uint64_t vni_slots = 0;
	uint64_t vtep_slots = 0;
	uint64_t route4_slots = 0;
	uint64_t route6_slots = 0;
	uint64_t label_slots = 0;
	uint64_t subif_slots = 0;
	uint64_t static_slots = 0;
	uint64_t static_log = 0;  // changes the ring holds
	uint64_t heap = 0;
	uint64_t total = 0;  // bytes of the whole image

	// `learned` routes per family (IPv4, IPv6) are those set_route() will add at once,
	// such as a route feed's when a new image replaces one.
	static Layout plan(const config::Config& cfg, const IdPlan& ids, bool spare,
	                   const std::array<uint64_t, 2>& learned = {0, 0});
};

class TableWriter {
public:
	// Lays out an image of `cfg` in `image` (layout.total zeroed bytes, 8-byte aligned,
	// which must outlive the writer), with the indexes `ids` gives. Nothing is published:
	// commit() writes the header readers start from, the first one at offset 0.
	TableWriter(void* image, const Layout& layout, const config::Config& cfg, const IdPlan& ids,
	            const std::vector<config::Neighbor>& learned);

	TableWriter(const TableWriter&) = delete;
	TableWriter& operator=(const TableWriter&) = delete;

	// Brings the image in place from the configuration it holds to `next`, as of
	// `generation` (the number the next commit will carry). Returns false, having changed
	// nothing, when that takes more than editing in place: then build a new image.
	bool apply(const config::Config& next, const std::vector<config::Neighbor>& learned,
	           uint64_t generation);

	// One tenant added or redefined, or removed, as of `generation`: the edits a reload
	// of a one-tenant change comes down to, without comparing the rest of the
	// configuration. The caller vouches that the tenant is valid beside the others (the
	// loader's checks). Return false, having changed nothing, as apply() does.
	bool upsert_tenant(const config::Tenant& t, uint64_t generation);
	bool remove_tenant(const std::string& name, uint64_t generation);

	// A route learned at run time (from FRR) in `tenant`'s VRF, replacing any learned one
	// of the same prefix: `hops` are its next hops (more than one: ECMP). A configured
	// route of the same prefix wins while it exists. False, changing nothing, when the
	// tenant has no VRF or the image no room.
	bool set_route(const std::string& tenant, const config::IpPrefix& prefix,
	               const std::vector<abi::NexthopEntry>& hops, uint64_t generation);
	// Withdraws a learned route; false when there was none.
	bool remove_route(const std::string& tenant, const config::IpPrefix& prefix,
	                  uint64_t generation);

	// Writes the header of `generation` (which must be the one apply() was given, or any
	// newer number if nothing was applied) and returns its offset; 0 for the first.
	// Returns nullopt when the heap has no room for it.
	std::optional<uint64_t> commit(uint64_t generation);

	// The dataplane's workers all use generation `in_use` or newer: what earlier
	// generations let go of may be reused.
	void reclaim(uint64_t in_use);

	// Bytes of the image written since the writer was made or last asked; shows that a
	// change costs in proportion to itself, not to the table.
	uint64_t take_bytes_written()
	{
		const uint64_t n = written_;
		written_ = 0;
		return n;
	}

	const Layout& layout() const { return layout_; }
	uint32_t id_epoch() const { return header_.id_epoch; }

private:
	struct Member {
		std::string identity;
		abi::MemberEntry entry;  // vtep: the index is filled in from vteps_
		config::IpAddr vtep_address;
	};
	struct Plan;  // what one tenant needs, computed before anything is written
	using PrefixKey = std::tuple<bool, std::array<uint8_t, 16>, uint8_t>;  // v6, masked, length
	struct PrefixKeyHash {
		size_t operator()(const PrefixKey& k) const
		{
			return abi::hash_addr16(
			    std::get<1>(k).data(),
			    uint64_t{std::get<2>(k)} << 1 | uint64_t{std::get<0>(k)});
		}
	};
	// Each learned route's change asks whether its prefix is configured too: a hash keeps
	// that one probe when VRFs hold thousands of configured routes (a tree walk there
	// missed the cache at every level).
	using PrefixSet = std::unordered_set<PrefixKey, PrefixKeyHash>;
	struct Learned {
		uint64_t block;  // its next hops in the heap
		uint32_t count;
		uint32_t label = 0;  // + 1: a shared next hop (not the route's to retire)

		uint64_t ref() const
		{
			return abi::make_ref(uint32_t(block / 16), abi::route_aux(count, label));
		}
	};
	// Learned Option-B routes' shared next hops (abi::route_aux), by the hop's bytes. They
	// stay for the image's life: a carrier's few hops, and one more per MAC it moves to.
	using SharedKey = std::array<uint8_t, sizeof(abi::NexthopEntry)>;
	std::map<SharedKey, uint64_t> shared_hops_;
	void retire(const Learned& l, uint64_t generation);
	struct Lengths {
		uint64_t v4 = 0;
		uint64_t v6[3] = {0, 0, 0};
	};
	struct TenantState {
		uint32_t index = abi::kNone;
		config::Tenant cfg;
		std::vector<uint32_t> members;    // flood order
		std::vector<Member> member_info;  // the same members: identity and VTEP address
		uint64_t flood_block = 0;         // heap offset of the flood list, 0 when empty
		std::vector<std::pair<uint64_t, uint32_t>> access;       // QinQ key → member
		std::vector<std::pair<uint32_t, uint32_t>> vlans;        // vlan_map slot → member
		std::vector<std::pair<abi::VtepKey, uint32_t>> remotes;  // key → member
		std::vector<std::pair<uint64_t, uint32_t>>
		    statics;  // static_mac_key → member, sorted
		// The VRF: its next-hop block, configured routes, label (0: none),
		// sub-interfaces, and the routes learned at run time.
		uint64_t vrf_block = 0;
		size_t vrf_nexthops = 0;
		PrefixSet configured;
		Lengths configured_lengths;
		uint32_t label = 0;
		std::vector<uint64_t> subinterfaces;
		std::map<PrefixKey, Learned> learned;
		std::array<uint32_t, 129> learned_per_length4{};  // IPv4 uses 0..32
		std::array<uint32_t, 129> learned_per_length6{};
	};
	struct Vtep {
		uint32_t index = abi::kNone;
		abi::VtepEntry entry{};
		std::vector<uint32_t> members;
	};

	template <class T>
	T* at(uint64_t offset)
	{
		return reinterpret_cast<T*>(base_ + offset);
	}
	abi::TenantEntry& tenant_entry(uint32_t i)
	{
		return at<abi::TenantEntry>(header_.tenants.offset)[i];
	}
	abi::MemberEntry& member_entry(uint32_t i)
	{
		return at<abi::MemberEntry>(header_.members.offset)[i];
	}
	uint64_t* vlan_map() { return at<uint64_t>(header_.vlan_map.offset); }
	// Empties a vlan_map slot if it is still `tenant`'s.
	void release_vlan(uint32_t slot, uint32_t tenant);
	abi::VrfEntry& vrf_entry(uint32_t i) { return at<abi::VrfEntry>(header_.vrfs.offset)[i]; }

	Plan plan(const config::Tenant& t) const;
	bool fits(const std::vector<const Plan*>& plans, size_t vtep_changes) const;
	void drop_tenant(const std::string& name, uint64_t generation);
	void drop_member(const Member& m, uint32_t index);
	void retract(TenantState& st, const Plan& p, uint64_t generation);
	void install(const Plan& p, uint64_t generation, const IdPlan* ids);
	void install_statics(TenantState& st, const Plan& p, const std::vector<uint32_t>& list,
	                     uint64_t generation);
	uint64_t static_inserts(const Plan& p, uint32_t tenant) const;
	void install_vrf(TenantState& st, const VrfPlan& vp, uint64_t generation);
	void retract_vrf(TenantState& st, const VrfPlan* keep, uint64_t generation);
	static abi::Route6Key route6_key(uint32_t tenant, const PrefixKey& k);
	void put_route(uint32_t tenant, const PrefixKey& k, uint64_t ref);
	void erase_route(uint32_t tenant, const PrefixKey& k, uint64_t generation);
	void store_lengths(TenantState& st);
	void forget_learned(TenantState& st, uint64_t generation);
	uint32_t vtep_index(const config::IpAddr& addr);
	void refresh_vteps();
	uint32_t add_name(const std::string& s);
	void track(uint64_t bytes) { written_ += bytes; }

	uint8_t* base_;
	Layout layout_;
	config::Config cfg_;  // what the image holds (tenants live in tenants_)
	VrfSources sources_;  // of cfg_
	std::vector<config::Neighbor> learned_;
	abi::Header header_{};       // the sections; copied into each committed header
	uint64_t header_block_ = 0;  // heap offset of the newest header, 0 for the first
	bool committed_ = false;
	std::map<std::string, uint16_t> port_index_;
	std::vector<uint16_t> trunks_;
	std::map<std::string, TenantState> tenants_;
	std::map<std::string, uint32_t> member_ids_;
	std::map<config::IpAddr, Vtep, bool (*)(const config::IpAddr&, const config::IpAddr&)>
	    vteps_;
	uint32_t next_tenant_ = 0;
	uint32_t next_member_ = 0;
	uint32_t next_vtep_ = 0;
	uint64_t names_top_ = 0;
	uint32_t unnamed_ = 0;
	SlotEditor<abi::U64Slot> access_;
	SlotEditor<abi::U64Slot> vni_;
	SlotEditor<abi::VtepSlot> remote_;
	SlotEditor<abi::U64Slot> route4_;
	SlotEditor<abi::Route6Slot> route6_;
	SlotEditor<abi::U64Slot> labels_;
	SlotEditor<abi::U64Slot> subifs_;
	Heap heap_;
	StaticMacWriter statics_;
	uint64_t written_ = 0;
};

}  // namespace tsunagi::compile
