// The learned (and static) MAC addresses of every tenant segment.
//
// Open addressing with linear probing and backward-shift deletion: no tombstones, so a
// lookup never walks further than the longest run of occupied slots. Sized once at start;
// learning, lookups and aging never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common/abi/hash.hpp"
#include "common/abi/mac_entries.hpp"
#include "common/abi/tables.hpp"
#include "dataplane/pipeline/huge_array.hpp"

namespace tsunagi::dp {

class MacTable {
public:
	struct Entry {
		uint64_t key;     // tenant << 48 | MAC
		uint32_t member;  // abi::kNone: empty slot
		uint32_t seen;    // seconds; kStatic marks an entry that never ages or moves
	};
	static constexpr uint32_t kStatic = abi::kStaticMac;

	enum class Learn : uint8_t { refreshed, learned, moved, limit, full, pinned };

	// `capacity` is rounded up to a power of two; keep it at least twice the entries
	// expected so probe runs stay short. `dynamic_counts` (abi::kMaxTenants + 1 of them,
	// zeroed) receives the count of learned entries per tenant, for readers in another process
	// (the counters segment); by default the table keeps them itself.
	explicit MacTable(size_t capacity, uint32_t* dynamic_counts = nullptr);

	static uint64_t key(uint32_t tenant, const uint8_t* mac)
	{
		uint64_t v = 0;
		std::memcpy(&v, mac, 6);
		return (uint64_t{tenant} << 48) | (__builtin_bswap64(v) >> 16);
	}

	// The same key from a MAC inside an Ethernet header, where the two bytes after it
	// are readable: one load instead of six.
	static uint64_t key_in_frame(uint32_t tenant, const uint8_t* mac)
	{
		uint64_t v;
		std::memcpy(&v, mac, 8);
		return (uint64_t{tenant} << 48) | (__builtin_bswap64(v) >> 16);
	}

	// Where the probe for `key` starts; lookups and learning take it so a burst can
	// prefetch every packet's slot first.
	size_t home(uint64_t key) const { return abi::mix64(key) & mask_; }
	void prefetch(size_t home) const { __builtin_prefetch(&slots_[home]); }

	// The member a live (not aged-out) entry points at, or abi::kNone.
	uint32_t lookup(uint64_t key, uint32_t now, uint32_t aging) const
	{
		return lookup(home(key), key, now, aging);
	}
	uint32_t lookup(size_t home, uint64_t key, uint32_t now, uint32_t aging) const
	{
		const Entry* e = find(home, key);
		if (e == nullptr || (e->seen != kStatic && now - e->seen > aging)) {
			return abi::kNone;
		}
		return e->member;
	}

	// Learns `key` on `member`. `limit` caps the tenant's dynamic entries (0: none); it is
	// read only when a new entry is needed, so the common refresh touches one line.
	Learn learn(uint64_t key, uint32_t member, uint32_t now, uint32_t limit, uint32_t aging)
	{
		return learn(home(key), key, member, now, &limit, aging);
	}
	Learn learn(size_t home, uint64_t key, uint32_t member, uint32_t now, const uint32_t* limit,
	            uint32_t aging);

	// Removes `key` if present.
	void erase(uint64_t key);

	// Installs a static entry, replacing a dynamic one. False when the table is full.
	bool add_static(uint64_t key, uint32_t member);

	// Removes every dynamic entry older than `aging`, scanning at most `budget` slots from
	// where the previous call stopped. Returns the entries removed.
	size_t age(uint32_t now, uint32_t aging, size_t budget);

	// `clear mac-table`: removes the dynamic entries of `tenant` (kAllTenants: of every
	// tenant) among `budget` slots from `cursor` on, and advances `cursor`; the clear is
	// done when it reaches capacity(). Spread over several calls so that a worker never
	// stops for the whole table; no aging may run between them, since its shifts could
	// carry an unvisited entry behind the cursor. Returns the entries removed.
	static constexpr uint32_t kAllTenants = abi::kAllTenants;
	size_t clear_step(size_t& cursor, size_t budget, uint32_t tenant);

	// Removes the entries `drop(entry)` selects: static ones, a tenant's, stale members'.
	template <class Pred>
	size_t remove_if(Pred drop)
	{
		size_t removed = 0;
		for (size_t i = 0; i < capacity_;) {
			if (slots_[i].member != abi::kNone && drop(slots_[i])) {
				erase_at(i);
				++removed;
			} else {
				++i;
			}
		}
		return removed;
	}

	// Another thread's copy of a slot, taken while this table's worker writes it: single
	// loads of each field, the key read before and after. False for an empty slot or one
	// that changed meanwhile; a snapshot so taken may miss (or repeat) a moving entry.
	static bool snapshot(const Entry& e, Entry& out)
	{
		const uint64_t k1 = __atomic_load_n(&e.key, __ATOMIC_ACQUIRE);
		out.member = __atomic_load_n(&e.member, __ATOMIC_ACQUIRE);
		out.seen = __atomic_load_n(&e.seen, __ATOMIC_ACQUIRE);
		out.key = k1;
		return k1 == __atomic_load_n(&e.key, __ATOMIC_ACQUIRE) && out.member != abi::kNone;
	}

	size_t size() const { return size_; }
	size_t capacity() const { return capacity_; }
	uint32_t dynamic_count(uint32_t tenant) const { return dynamic_[tenant]; }
	const Entry* slots() const { return slots_.get(); }

private:
	const Entry* find(size_t home, uint64_t key) const
	{
		for (size_t i = home;; i = (i + 1) & mask_) {
			const Entry& e = slots_[i];
			if (e.member == abi::kNone) {
				return nullptr;
			}
			if (e.key == key) {
				return &e;
			}
		}
	}
	void erase_at(size_t i);

	HugeArray<Entry> slots_;
	HugeArray<uint32_t> own_counts_;
	uint32_t* dynamic_;  // per tenant: own_counts_ or the caller's
	size_t capacity_;
	size_t mask_;
	size_t size_ = 0;
	size_t age_cursor_ = 0;
};

}  // namespace tsunagi::dp
