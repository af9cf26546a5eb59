// Read access to a table image: typed views of its sections and the lookups the
// pipeline makes. Built once per generation; the lookups are what run per packet.
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/abi/atomic.hpp"
#include "common/abi/hash.hpp"
#include "common/abi/tables.hpp"

namespace tsunagi::abi {

template <class T>
struct Span {
	const T* data = nullptr;
	uint64_t size = 0;
	const T& operator[](uint64_t i) const { return data[i]; }
	const T* begin() const { return data; }
	const T* end() const { return data + size; }
};

// Whether two map keys are equal, compared a word at a time: the defaulted == of a key
// holding a byte array compares it byte by byte, some sixty instructions a VTEP key.
template <class Key>
inline bool same_key(const Key& a, const Key& b)
{
	if constexpr (std::is_integral_v<Key>) {
		return a == b;
	} else {
		static_assert(std::has_unique_object_representations_v<Key> &&
		              sizeof(Key) % 8 == 0);
		uint64_t diff = 0;
		for (size_t i = 0; i < sizeof(Key); i += 8) {
			uint64_t x, y;
			std::memcpy(&x, reinterpret_cast<const char*>(&a) + i, 8);
			std::memcpy(&y, reinterpret_cast<const char*>(&b) + i, 8);
			diff |= x ^ y;
		}
		return diff == 0;
	}
}

class TableView {
public:
	TableView() = default;

	// Checks the header at `header_offset`: magic, ABI version and that every section
	// lies inside the image's `size` bytes; returns an empty string when the image is
	// usable, else why it is not.
	static std::string check(const void* image, uint64_t size, uint64_t header_offset = 0);

	explicit TableView(const void* image, uint64_t header_offset = 0);

	bool valid() const { return header_ != nullptr; }
	const Header& header() const { return *header_; }
	uint64_t generation() const { return header_->generation; }
	const NodeEntry& node() const { return header_->node; }

	Span<PortEntry> ports;
	Span<TenantEntry> tenants;
	Span<MemberEntry> members;
	Span<uint32_t> flood;  // the whole image as words; TenantEntry::flood indexes it
	Span<VtepEntry> vteps;
	Span<StaticMacChange> static_log;  // a ring (tables.hpp, static_mac_key)
	Span<VrfEntry> vrfs;               // by tenant index

	std::string_view name(uint32_t offset) const { return names_ + offset; }
	uint16_t port_by_name(std::string_view n) const;
	uint32_t tenant_by_name(std::string_view n) const;

	// Lookups come in two steps so a burst can prefetch every slot before it reads any:
	// prefetch with the key's hash, then find with the same hash. find() returns the
	// slot's ref (make_ref(value, aux)), kEmptyRef when the key is absent.
	template <class Slot>
	struct Map {
		const Slot* slots = nullptr;
		uint64_t mask = 0;

		void prefetch(uint64_t hash) const { __builtin_prefetch(&slots[hash & mask]); }

		uint64_t find(uint64_t hash, const decltype(Slot::key)& key) const
		{
			for (uint64_t i = hash & mask;; i = (i + 1) & mask) {
				const Slot& s = slots[i];
				// Acquire: a key is written before the ref that makes the slot
				// live.
				const uint64_t ref = load_acquire(s.ref);
				if (ref_value(ref) == kNone) {
					return kEmptyRef;
				}
				if (ref_value(ref) != kTombstone && same_key(s.key, key)) {
					return ref;
				}
			}
		}

		uint64_t find(const decltype(Slot::key)& key) const
		{
			return find(hash_key(key), key);
		}
	};

	Map<U64Slot> access_map;  // access_key() of a QinQ attachment → member, aux tenant
	Map<U64Slot> vni_map;     // VNI → tenant
	Map<VtepSlot> vtep_map;   // (VNI, source VTEP) → member, aux tenant
	Map<U64Slot> route4_map;  // route4_key() → first next-hop word, aux count
	Map<Route6Slot> route6_map;
	Map<U64Slot> label_map;     // VRF label → tenant
	Map<U64Slot> vlan_vrf_map;  // Option-A sub-interface → tenant
	Map<U64Slot> static_map;    // static_mac_key() → member, aux tenant

	// Calls f(key, member), or f(key, member, movable), for each static MAC
	// (static_mac_key(): the tenant is key >> 48; movable: kMovableStatic). A whole scan,
	// for readers that cannot follow static_log.
	template <class F>
	void for_each_static(F f) const
	{
		for (uint64_t i = 0; i <= static_map.mask; ++i) {
			const U64Slot& s = static_map.slots[i];
			const uint64_t ref = load_acquire(s.ref);
			const uint32_t v = ref_value(ref);
			if (v >= kTombstone) {
				continue;
			}
			if constexpr (std::is_invocable_v<F, uint64_t, uint32_t, bool>) {
				f(s.key, v & ~kMovableStatic, (v & kMovableStatic) != 0);
			} else {
				f(s.key, v & ~kMovableStatic);
			}
		}
	}

	const NexthopEntry& nexthop(uint32_t word) const
	{
		return *reinterpret_cast<const NexthopEntry*>(image_ + uint64_t{word} * 16);
	}

	// Single-tagged ingress on `port` (tables.hpp, vlan_map): make_ref(member, tenant), or
	// kEmptyRef. vlan_row(port)[vid] is the same entry, for a loop over one port's frames.
	const uint64_t* vlan_row(uint16_t port) const
	{
		return vlan_map_ + uint64_t{port} * kVlanSlots;
	}
	uint64_t vlan_ref(uint16_t port, uint16_t vid) const
	{
		return load_acquire(vlan_row(port)[vid & (kVlanSlots - 1)]);
	}
	// Any attachment's ref, single-tagged or QinQ.
	uint64_t attachment_ref(uint16_t port, bool qinq, uint16_t outer, uint16_t inner) const
	{
		return qinq ? access_map.find(access_key(port, true, outer, inner))
		            : vlan_ref(port, outer);
	}

	// The words edited in place while readers run (tables.hpp).
	uint64_t flood_of(uint32_t tenant) const { return load_acquire(tenants[tenant].flood); }
	Span<uint32_t> flood_list(uint32_t tenant) const
	{
		const uint64_t w = flood_of(tenant);
		return {flood.data + flood_begin(w), flood_count(w)};
	}
	uint32_t tenant_of(uint32_t member) const { return load_acquire(members[member].tenant); }
	uint32_t vtep_of(uint32_t member) const { return load_acquire(members[member].vtep); }
	// A member of a live tenant, not a hole a removal left (what the operator is shown;
	// entries that still name a hole are on their way out).
	bool member_live(uint32_t member) const
	{
		if (member >= members.size || members[member].kind == MemberKind::unused) {
			return false;
		}
		const uint32_t t = tenant_of(member);
		return t < tenants.size && tenants[t].live != 0;
	}

private:
	const Header* header_ = nullptr;
	const char* image_ = nullptr;
	const uint64_t* vlan_map_ = nullptr;
	const char* names_ = nullptr;
};

}  // namespace tsunagi::abi
