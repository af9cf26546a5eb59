// The MACs of hosts in tenant segments, found the way a router finds them (DESIGN.md §4: a
// host in the segment is resolved by ARP/ND): gleaned from the ARP and neighbour discovery
// messages hosts send — asking for a gateway, or answering the router's own solicitation.
// One per worker, like the MAC table. Fixed size, set-associative: a new entry replaces the
// stalest of its set, so a flood of addresses costs other hosts a solicitation, never
// memory. Addresses are 16 bytes, IPv4 mapped (::ffff:a.b.c.d).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/abi/hash.hpp"

namespace tsunagi::dp {

class NeighborCache {
public:
	static constexpr uint32_t kWays = 4;

	// `sets` is rounded up to a power of two.
	explicit NeighborCache(size_t sets)
	{
		size_t n = 1;
		while (n < sets) {
			n <<= 1;
		}
		mask_ = n - 1;
		entries_ = std::make_unique<Entry[]>(n * kWays);
		clear();
	}

	static void mapped4(const uint8_t* ip4, uint8_t* out)
	{
		static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		std::memcpy(out, kPrefix, 12);
		std::memcpy(out + 12, ip4, 4);
	}

	// The MAC of `addr` in `tenant`'s segment, if heard from within `max_age` seconds.
	const uint8_t* find(uint32_t tenant, const uint8_t* addr, uint32_t now,
	                    uint32_t max_age) const
	{
		const Entry* e = match(tenant, addr);
		return e != nullptr && e->has_mac && now - e->seen <= max_age ? e->mac : nullptr;
	}

	void learn(uint32_t tenant, const uint8_t* addr, const uint8_t* mac, uint32_t now)
	{
		Entry* e = match(tenant, addr);
		if (e == nullptr) {
			e = victim(tenant, addr);
		}
		std::memcpy(e->mac, mac, 6);
		e->has_mac = 1;
		e->seen = now;
	}

	// Whether to solicit `addr` now: at most once a second per address, so a stream to a
	// silent host costs it one ARP or ND message a second.
	bool may_ask(uint32_t tenant, const uint8_t* addr, uint32_t now)
	{
		Entry* e = match(tenant, addr);
		if (e == nullptr) {
			e = victim(tenant, addr);
			e->has_mac = 0;
			e->seen = now;
		} else if (e->asked == now + 1) {
			return false;
		}
		e->asked = now + 1;  // 0: never asked
		return true;
	}

	// Another worker's cache, for a trace (dataplane/daemon/trace_runner): read while that
	// worker writes it, so an entry changing at that instant may come torn.
	void copy_from(const NeighborCache& o)
	{
		if (o.mask_ == mask_) {
			std::memcpy(static_cast<void*>(entries_.get()), o.entries_.get(),
			            (mask_ + 1) * kWays * sizeof(Entry));
		}
	}

	void clear()
	{
		for (size_t i = 0; i <= mask_; ++i) {
			for (uint32_t w = 0; w < kWays; ++w) {
				entries_[i * kWays + w] = Entry{};
			}
		}
	}

private:
	struct Entry {
		uint8_t addr[16];
		uint32_t tenant;  // + 1; 0: empty
		uint32_t seen;    // seconds: when the MAC was heard, or the entry made
		uint32_t asked;   // seconds + 1 of the last solicitation
		uint8_t mac[6];
		uint8_t has_mac;
		uint8_t pad;
	};

	size_t set_of(uint32_t tenant, const uint8_t* addr) const
	{
		uint64_t a, b;
		std::memcpy(&a, addr, 8);
		std::memcpy(&b, addr + 8, 8);
		return abi::mix64(a ^ abi::mix64(b ^ tenant)) & mask_;
	}

	Entry* match(uint32_t tenant, const uint8_t* addr) const
	{
		Entry* set = &entries_[set_of(tenant, addr) * kWays];
		for (uint32_t w = 0; w < kWays; ++w) {
			if (set[w].tenant == tenant + 1 &&
			    std::memcmp(set[w].addr, addr, 16) == 0) {
				return &set[w];
			}
		}
		return nullptr;
	}

	Entry* victim(uint32_t tenant, const uint8_t* addr)
	{
		Entry* set = &entries_[set_of(tenant, addr) * kWays];
		Entry* v = &set[0];
		for (uint32_t w = 0; w < kWays; ++w) {
			if (set[w].tenant == 0) {
				v = &set[w];
				break;
			}
			if (set[w].seen < v->seen) {
				v = &set[w];
			}
		}
		*v = Entry{};
		std::memcpy(v->addr, addr, 16);
		v->tenant = tenant + 1;
		return v;
	}

	size_t mask_ = 0;
	std::unique_ptr<Entry[]> entries_;
};

}  // namespace tsunagi::dp
