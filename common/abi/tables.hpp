// The table ABI shared by tsunagid (writer) and the dataplane (reader).
//
// A table image is one contiguous, position-independent region holding sections and one
// or more Headers; a header locates each section by byte offset from the image's start.
// Nothing in it is a pointer, so the same bytes work in a heap buffer (tests, replay) and
// in a POSIX shared-memory object mapped at any address (live). Every entry type is
// trivially copyable with explicit padding, so control and dataplane agree byte for byte.
//
// A live image is edited in place while the dataplane reads it (docs/shared-memory.md):
// an entry is written where no reader looks yet and then published by one aligned store
// of the word that refers to it (a slot's `ref`, a tenant's `flood`, a VLAN map entry, a
// member's `vtep`). Readers load those words with load_acquire() (atomic.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace tsunagi::abi {

inline constexpr uint64_t kMagic = 0x314741'4e55'5354ull;  // "TSUNAG1" little-endian
// Bump on any change to a struct in this file; a reader refuses any other version.
inline constexpr uint32_t kAbiVersion = 11;

inline constexpr uint32_t kNone = 0xffffffffu;
// A hash slot whose entry was removed: lookups probe past it, and it is reused only once
// no reader can still be looking at its old key.
inline constexpr uint32_t kTombstone = 0xfffffffeu;
inline constexpr uint16_t kNoPort = 0xffffu;
inline constexpr uint32_t kMaxPorts = 64;

enum class PortRole : uint8_t { access = 0, trunk = 1, underlay = 2, interconnect = 3 };

struct Section {
	uint64_t offset;  // from the start of the image
	uint64_t count;   // elements
};

struct PortEntry {
	uint8_t mac[6];
	PortRole role;
	uint8_t has_ip4;
	uint32_t mtu;  // largest L3 payload leaving the port
	uint32_t ip4;  // network order
	uint8_t has_ip6;
	uint8_t pad0;
	uint16_t trunk_ordinal;  // position among trunk ports; kNoPort otherwise
	uint8_t ip6[16];
	uint32_t name;  // offset into the names section
	uint32_t pad1;
};

enum class MemberKind : uint8_t { unused = 0, attachment = 1, trunk = 2, vtep = 3 };

// One member of a tenant's L2 segment. Learned MACs refer to members by index, so an index
// keeps its meaning across generations while the member exists. A removed member becomes
// a hole (tenant kNone; kind unused after a rebuild), never reused within an id epoch.
// Only `tenant` (on removal) and `vtep` (when its next hop changes) are stored to while
// the entry is live.
struct MemberEntry {
	MemberKind kind;
	uint8_t qinq;  // attachment only: outer TPID 0x88a8 with an inner 0x8100 tag
	uint16_t port;
	uint16_t vlan;  // attachment outer VID, or the tenant's hybrid_vlan on a trunk
	uint16_t inner_vlan;
	uint32_t tenant;
	uint32_t vtep;  // index into vteps for a VTEP member, kNone otherwise
};

// A tenant's flood list is the member indexes at 4-byte words [begin, begin + count) of the
// image (flood_begin/flood_count of `flood`): trunk members first in trunk order (so a
// trunk ingress member is word begin + ordinal), then attachments, then VTEPs. Begin and
// count share one 64-bit word so a new list replaces the old in one store.
struct TenantEntry {
	uint32_t vni;
	uint16_t hybrid_vlan;
	uint16_t live;  // 0: a hole left by a removed tenant (its index is not reused)
	uint64_t flood;
	uint32_t mac_limit;  // 0: unlimited
	uint32_t name;       // offset into the names section
};

inline constexpr uint64_t flood_word(uint32_t begin, uint32_t count)
{
	return uint64_t{begin} | (uint64_t{count} << 32);
}
inline constexpr uint32_t flood_begin(uint64_t w)
{
	return uint32_t(w);
}
inline constexpr uint32_t flood_count(uint64_t w)
{
	return uint32_t(w >> 32);
}

// A remote VTEP with its resolved underlay next hop.
struct VtepEntry {
	// The outer headers a packet to this VTEP leaves with (pkt::write_vxlan_outer): what
	// varies per packet (lengths, IPv4 checksum, UDP source port and IPv6 checksum, VNI) is
	// zero. pkt::kVxlan4Overhead or kVxlan6Overhead bytes of it are used.
	uint8_t outer[80];
	uint8_t v6;
	uint8_t resolved;  // next-hop MAC known; otherwise traffic to it is dropped (no_neighbor)
	uint16_t out_port;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t src_ip[16];  // IPv4 in the first 4 bytes
	uint8_t dst_ip[16];
	// IPv4: ones' complement sum of the outer header's fixed words (all but the total
	// length), so the dataplane finishes the checksum with one addition.
	uint32_t ip4_sum;
	uint32_t pad;
};

// Static MACs live in `static_map` (U64Slot: static_mac_key() → make_ref(member, tenant)),
// edited in place like the other maps. So that a reader need not rescan the whole map
// each generation, every edit of it is also appended to `static_log`, a ring of the
// newest changes: change s sits at s % count, and a header's `static_head` is the number
// of the newest change it includes. A reader that applied changes up to a applies a+1 ..
// head; one further behind than the ring holds, or reading another image
// (`static_origin`), scans the map instead.
//
// A member carrying kMovableStatic is a remote MAC learned over EVPN rather than one the
// operator pinned: it never ages, but a frame from the MAC on another member of the segment
// moves it there (the host moved; RFC 7432 §15), where YAML statics stay put.
inline constexpr uint32_t kMovableStatic = 0x80000000u;
inline constexpr uint64_t static_mac_key(uint32_t tenant, const uint8_t* mac)
{
	uint64_t v = 0;
	for (int i = 0; i < 6; ++i) {
		v = (v << 8) | mac[i];
	}
	return (uint64_t{tenant} << 48) | v;
}
// The MAC of such a key (the tenant is key >> 48).
inline constexpr void mac_of_key(uint64_t key, uint8_t* mac)
{
	for (int i = 0; i < 6; ++i) {
		mac[i] = uint8_t(key >> (40 - 8 * i));
	}
}

// `word` packs the low 32 bits of the change's number with the member (kNone: removed).
// The writer stores a word no reader expects first, then the key, then the word (each a
// release): a reader that loads word, key, word and finds the number it wants twice read
// a whole change, not one being overwritten.
struct StaticMacChange {
	uint64_t key;  // static_mac_key()
	uint64_t word;
};

inline constexpr uint64_t change_word(uint64_t seq, uint32_t member)
{
	return (seq << 32) | member;
}
inline constexpr uint32_t change_seq(uint64_t word)
{
	return uint32_t(word >> 32);
}
inline constexpr uint32_t change_member(uint64_t word)
{
	return uint32_t(word);
}

// Open-addressing hash slots (linear probing, power-of-two capacity). `ref` packs the
// value and an `aux` word the lookup's caller needs next (the member's tenant), saving a
// dependent load on the fast path; one 64-bit store publishes both. ref_value() kNone:
// empty (ends a probe); kTombstone: removed (probe on).
struct U64Slot {
	uint64_t key;
	uint64_t ref;
};

inline constexpr uint64_t make_ref(uint32_t value, uint32_t aux)
{
	return uint64_t{value} | (uint64_t{aux} << 32);
}
inline constexpr uint32_t ref_value(uint64_t ref)
{
	return uint32_t(ref);
}
inline constexpr uint32_t ref_aux(uint64_t ref)
{
	return uint32_t(ref >> 32);
}
inline constexpr uint64_t kEmptyRef = make_ref(kNone, 0);
inline constexpr uint64_t kTombstoneRef = make_ref(kTombstone, 0);

// A VXLAN source: keyed by VNI rather than tenant, so the lookup does not wait for the
// VNI lookup; a VNI names exactly one tenant.
struct VtepKey {
	uint8_t ip[16];  // IPv4 in the first 4 bytes, the rest zero
	uint32_t vni;
	uint32_t v6;
	bool operator==(const VtepKey&) const = default;
};

struct VtepSlot {
	VtepKey key;
	uint64_t ref;  // member, aux tenant
};

struct NodeEntry {
	uint8_t has_vtep4;
	uint8_t has_vtep6;
	uint16_t pad0;
	uint32_t vtep4;  // network order
	uint8_t vtep6[16];
	uint32_t mac_aging_s;
	uint32_t name;
	uint8_t router_mac[6];  // tenant segments' routed interface (DESIGN.md §4)
	uint16_t pad1;
};

// A tenant's VRF (private link), at the tenant's index; `live` 0 when it has none. The
// prefix lengths present in its routes, as bit masks (IPv4: bit L of len4; IPv6: bit L%64
// of len6[L/64]), let a lookup probe only lengths that exist, longest first. Each mask word
// is stored whole; a route is added to the map before its length's bit is set.
struct VrfEntry {
	uint32_t live;
	uint32_t label;  // this node's MPLS label for the VRF
	// Bit L: the VRF has routes of length L. Bit 32 of len4 counts only /32 routes other
	// than `local4`: a lookup probes the /32s only for one of those addresses, or when
	// the VRF has other host routes, instead of missing once per packet.
	uint64_t len4;
	uint64_t len6[3];
	uint32_t local4[4];  // up to four of the VRF's own IPv4 addresses, host order; 0: none
	uint64_t pad;
};
static_assert(sizeof(VrfEntry) == 64, "one cache line per VRF");

enum class NexthopKind : uint8_t {
	unresolved = 0,  // a next hop with no known MAC: no_neighbor
	segment = 1,     // a host in the tenant's segment: L2-forwarded there
	option_a = 2,    // an Option-A neighbour: out of `port` tagged `vlan`
	option_b = 3,    // an Option-B route: `labels` pushed, out of `port`
	local = 4,       // one of the VRF's own gateway addresses
	connected = 5,   // a subnet of `tenant`'s segment: the host's MAC as ARP/ND found it;
	                 // `labels` hold the gateway address that asks (IPv4: first 4 bytes)
	subif = 6,       // this node's address on the Option-A sub-interface `port`, `vlan`:
	                 // its BGP speaker, reached through that sub-interface's punt TAP
};

// Routes point at a group of `count` consecutive next hops (ECMP), 16-byte words [first,
// first + count * 3) of the image; like flood lists they are written once and replaced.
struct NexthopEntry {
	NexthopKind kind;
	uint8_t n_labels;
	uint16_t port;
	uint16_t vlan;
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint8_t resolved;  // dst_mac known; otherwise the packet is dropped (no_neighbor)
	uint8_t pad0;
	uint32_t tenant;     // segment: whose segment
	uint32_t labels[4];  // option_b: outermost first
	uint32_t pad1[2];
};

inline constexpr uint32_t kNexthopWords = 3;  // sizeof(NexthopEntry) / 16

// A route's ref is make_ref(first next-hop word, route_aux(count, label)). An Option-B
// route with one next hop and one label points at a next hop its carrier's routes share
// (no labels of its own) and carries its label in the ref: a million routes then read a
// few cache-resident next hops instead of a million cold ones. `label_plus_one` 0: the next
// hops' own labels.
inline constexpr uint32_t kRouteCountBits = 8;
inline constexpr uint32_t route_aux(uint32_t count, uint32_t label_plus_one)
{
	return count | (label_plus_one << kRouteCountBits);
}
inline constexpr uint32_t route_count(uint64_t ref)
{
	return ref_aux(ref) & ((1u << kRouteCountBits) - 1);
}
inline constexpr uint32_t route_label_plus_one(uint64_t ref)
{
	return ref_aux(ref) >> kRouteCountBits;
}

// IPv4 route key: tenant, prefix length and the masked address in one word.
inline constexpr uint64_t route4_key(uint32_t tenant, uint8_t len, uint32_t addr_host_order)
{
	const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
	return (uint64_t{tenant} << 40) | (uint64_t{len} << 32) | (addr_host_order & mask);
}

struct Route6Key {
	uint8_t addr[16];  // masked to `len`
	uint32_t tenant;
	uint32_t len;
	bool operator==(const Route6Key&) const = default;
};

struct Route6Slot {
	Route6Key key;
	uint64_t ref;  // make_ref(first next-hop word, route_aux(count, label))
};

// One generation's view of the image. A live image holds a header per generation; the
// control object says which is newest (its offset), and sections that did not change are
// shared by consecutive headers.
struct Header {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t header_size;
	uint64_t generation;
	uint64_t total_size;  // of the whole image
	NodeEntry node;
	// Tenant and member indexes keep their meaning across generations of one epoch, so
	// the dataplane keeps its learned MACs; a new epoch (renumbering) makes it forget them.
	uint32_t id_epoch;
	Section ports;           // PortEntry
	Section tenants;         // TenantEntry
	Section members;         // MemberEntry, by member index
	Section flood;           // the whole image as uint32_t words (see TenantEntry)
	Section vteps;           // VtepEntry
	Section static_map;      // U64Slot: static_mac_key() → member, aux tenant
	Section static_log;      // StaticMacChange, a ring (see static_mac_key())
	uint64_t static_head;    // the newest change in static_log this header includes
	uint64_t static_origin;  // differs between any two images (their rings)
	uint64_t static_count;   // static MACs in static_map
	Section access_map;  // U64Slot: access_key() of a QinQ attachment → member, aux tenant
	// uint64_t[ports × 4096], at port * 4096 + VID: single-tagged ingress, make_ref(member,
	// tenant) or kEmptyRef. On an access port its attachment of that VID; on a trunk port
	// the trunk member of the tenant whose hybrid_vlan the VID is. One load classifies.
	Section vlan_map;
	Section vni_map;       // U64Slot: VNI → tenant
	Section vtep_map;      // VtepSlot: (VNI, source VTEP) → member, aux tenant
	Section names;         // char: NUL-terminated strings
	Section vrfs;          // VrfEntry, by tenant index
	Section nexthops;      // the whole image as 16-byte words (see NexthopEntry)
	Section route4_map;    // U64Slot: route4_key() → make_ref(first word, route_aux())
	Section route6_map;    // Route6Slot
	Section label_map;     // U64Slot: this node's VRF label → tenant
	Section vlan_vrf_map;  // U64Slot: access_key(port, 0, vlan, 0) of an Option-A
	                       // sub-interface → tenant
};

inline constexpr uint64_t access_key(uint16_t port, bool qinq, uint16_t outer, uint16_t inner)
{
	return (uint64_t{port} << 32) | (uint64_t{qinq} << 24) | (uint64_t{outer} << 12) | inner;
}

static_assert(std::is_trivially_copyable_v<Header>);
static_assert(sizeof(PortEntry) == 44);
static_assert(sizeof(MemberEntry) == 16);
static_assert(sizeof(TenantEntry) == 24);
static_assert(sizeof(VtepEntry) == 136 && offsetof(VtepEntry, outer) == 0);
static_assert(sizeof(U64Slot) == 16);
static_assert(sizeof(VtepSlot) == 32);
static_assert(sizeof(NodeEntry) == 40);
static_assert(sizeof(NexthopEntry) == 16 * kNexthopWords);
static_assert(sizeof(Route6Slot) == 32);
// The words stored to while readers run must be naturally aligned in every array element.
static_assert(offsetof(TenantEntry, flood) % 8 == 0 && sizeof(TenantEntry) % 8 == 0);
static_assert(offsetof(VrfEntry, len4) % 8 == 0 && sizeof(VrfEntry) % 8 == 0);
static_assert(offsetof(Route6Slot, ref) % 8 == 0);
static_assert(offsetof(U64Slot, ref) % 8 == 0 && offsetof(VtepSlot, ref) % 8 == 0);
static_assert(sizeof(StaticMacChange) == 16);
inline constexpr uint32_t kVlanSlots = 4096;  // vlan_map entries per port
static_assert(offsetof(MemberEntry, tenant) % 4 == 0 && offsetof(MemberEntry, vtep) % 4 == 0);

}  // namespace tsunagi::abi
