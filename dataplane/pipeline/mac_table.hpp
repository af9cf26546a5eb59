// The learned (and static) MAC addresses of every tenant segment: one table per node, which
// all its workers read and learn into, so a MAC learned on one worker is known to the others
// at once (DESIGN.md §7: one view of learned MACs).
//
// Open addressing with linear probing, sized once at start; nothing allocates after that.
// Lookups, and the learning of a MAC already known on its member, only read: in steady state
// no packet writes a line another worker reads, and a known MAC's age is refreshed coarsely
// (once per kRefreshShare of the aging time). What changes the table's shape — a new entry,
// a move, a removal, aging, statics — takes the table's lock, and stores each word in the
// order lock-free readers need (mac_table.cpp). A removed entry becomes a tombstone that
// probes pass over; tombstones at the end of a run become free slots again.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/abi/mac_entries.hpp"
#include "common/abi/table_view.hpp"
#include "common/abi/tables.hpp"
#include "common/shm/mac_log.hpp"
#include "dataplane/pipeline/huge_array.hpp"

namespace tsunagi::dp {

class MacTable {
public:
	struct Entry {
		uint64_t key;     // tenant << 48 | MAC; kFreeKey or kTombKey when member is kNone
		uint32_t member;  // abi::kNone: a free slot or a tombstone
		uint32_t seen;    // seconds; kStatic: never ages or moves; kRemote: never ages
	};
	static constexpr uint32_t kStatic = abi::kStaticMac;
	static constexpr uint32_t kRemote = abi::kRemoteMac;
	// Keys of tenant 0xffff are never learned (tenant indexes stay below abi::kMaxTenants).
	static constexpr uint64_t kFreeKey = uint64_t{0xffff} << 48;
	static constexpr uint64_t kTombKey = ~uint64_t{0};
	// A known MAC's `seen` is rewritten once it is this share of the aging time old.
	static constexpr uint32_t kRefreshShare = 16;

	enum class Learn : uint8_t { refreshed, learned, moved, limit, full, pinned };

	// `capacity` is rounded up to a power of two; keep it at least twice the entries
	// expected so probe runs stay short. `dynamic_counts` (abi::kMaxTenants + 1 of them,
	// zeroed) receives the count of learned entries per tenant, for readers in another
	// process (the counters segment); by default the table keeps them itself. A `frozen` table
	// stays empty: it stands in while a worker must not use the node's table.
	explicit MacTable(size_t capacity, uint32_t* dynamic_counts = nullptr, bool frozen = false);
	~MacTable();
	MacTable(const MacTable&) = delete;
	MacTable& operator=(const MacTable&) = delete;

	static uint64_t key(uint32_t tenant, const uint8_t* mac)
	{
		return abi::static_mac_key(tenant, mac);
	}

	// The same key from a MAC inside an Ethernet header, where the two bytes after it
	// are readable: one load instead of six.
	static uint64_t key_in_frame(uint32_t tenant, const uint8_t* mac)
	{
		uint64_t v;
		std::memcpy(&v, mac, 8);
		return (uint64_t{tenant} << 48) | (__builtin_bswap64(v) >> 16);
	}
	// Whether a key's MAC is a group address (the I/G bit of its first byte).
	static bool group(uint64_t key) { return (key >> 40) & 1; }

	// The lock-free reads a burst makes, from a copy of where the slots are: a burst takes
	// one (probe()) and keeps it in registers while it writes to frames.
	class Probe {
	public:
		Probe(Entry* slots, size_t mask, unsigned shift)
		    : slots_(slots), mask_(mask), shift_(shift)
		{
		}

		// Where the probe for `key` starts (multiply-shift: the product's top bits depend
		// on every bit of the key); lookups and learning take it so a burst can prefetch
		// every packet's slot first.
		size_t home(uint64_t key) const
		{
			return size_t((key * 0x9e3779b97f4a7c15ull) >> shift_);
		}
		void prefetch(size_t home) const { __builtin_prefetch(&slots_[home]); }

		// The member a live (not aged-out) entry points at, or abi::kNone.
		uint32_t lookup(size_t home, uint64_t key, uint32_t now, uint32_t aging) const
		{
			for (size_t i = home;; i = (i + 1) & mask_) {
				const Entry& e = slots_[i];
				const uint64_t k = load(e.key);
				const uint32_t m = load(e.member);
				if (k == key) {
					const uint32_t seen =
					    __atomic_load_n(&e.seen, __ATOMIC_RELAXED);
					// The key read again: a slot emptied and reused between the
					// two reads would otherwise lend its new member to the old
					// key.
					if (m == abi::kNone || load(e.key) != k ||
					    (now - seen > aging && seen < kRemote)) {
						return abi::kNone;
					}
					return m;
				}
				if (m == abi::kNone && k != kTombKey) {
					return abi::kNone;
				}
			}
		}

		// The lock-free part of learning, which a burst runs for every frame: whether
		// `key` is known on `member` (or pinned there), its age refreshed once it is
		// `refresh` seconds old. False: learning takes learn_locked().
		bool known_on(size_t home, uint64_t key, uint32_t member, uint32_t now,
		              uint32_t refresh) const
		{
			for (size_t i = home;; i = (i + 1) & mask_) {
				Entry& e = slots_[i];
				const uint64_t k = load(e.key);
				const uint32_t m = load(e.member);
				if (k == key) {
					if (m != member) {
						return false;
					}
					const uint32_t seen =
					    __atomic_load_n(&e.seen, __ATOMIC_RELAXED);
					if (now - seen >= refresh && seen < kRemote) {
						// Coarsely: a lost race with aging only means
						// learning it again.
						__atomic_store_n(&e.seen, now, __ATOMIC_RELAXED);
					}
					return true;
				}
				if (m == abi::kNone && k != kTombKey) {
					return false;
				}
			}
		}

	private:
		Entry* slots_;
		size_t mask_;
		unsigned shift_;
	};
	// Lookups through a const table only read; known_on() writes a refresh.
	Probe probe() const { return Probe(const_cast<Entry*>(slots_.get()), mask_, shift_); }

	size_t home(uint64_t key) const { return probe().home(key); }
	void prefetch(size_t home) const { probe().prefetch(home); }
	uint32_t lookup(uint64_t key, uint32_t now, uint32_t aging) const
	{
		return probe().lookup(home(key), key, now, aging);
	}
	uint32_t lookup(size_t home, uint64_t key, uint32_t now, uint32_t aging) const
	{
		return probe().lookup(home, key, now, aging);
	}
	// Learns `key` on `member`. `limit` caps the tenant's dynamic entries (0: none).
	Learn learn(uint64_t key, uint32_t member, uint32_t now, uint32_t limit, uint32_t aging)
	{
		return probe().known_on(home(key), key, member, now, refresh_after(aging))
		           ? Learn::refreshed
		           : learn_locked(key, member, now, limit, aging);
	}

	// A new MAC, a move, or one the frozen table refuses, under the table's lock.
	Learn learn_locked(uint64_t key, uint32_t member, uint32_t now, uint32_t limit,
	                   uint32_t aging);
	// How old a known MAC's `seen` may grow before a frame rewrites it.
	static uint32_t refresh_after(uint32_t aging)
	{
		const uint32_t r = aging / kRefreshShare;
		return r != 0 ? r : 1;
	}

	// Reports every change of a dynamic entry (learned, moved, removed) to `log`, under
	// the lock; set before the workers start.
	void set_log(shm::MacLogWriter log)
	{
		log_ = log;
		logging_ = true;
	}

	// Removes `key` if present.
	void erase(uint64_t key);

	// Installs a static entry (`seen`: kStatic, or kRemote for one learning may move),
	// replacing a dynamic one. False when the table is full.
	bool add_static(uint64_t key, uint32_t member, uint32_t seen = kStatic);

	// Brings the static entries to those of the tables `t`, and forgets every entry when
	// `t` numbers members differently (another id epoch) from the tables last adopted.
	// Costs the static MACs changed since then, not all of them (mac_table_statics.cpp).
	// Single-threaded owners call it on every switch; a node's control thread calls it
	// before its workers see `t`.
	void adopt(const abi::TableView& t);

	// Removes every dynamic entry older than `aging`, scanning at most `budget` slots from
	// where the previous call stopped. Returns the entries removed.
	size_t age(uint32_t now, uint32_t aging, size_t budget);

	// `clear mac-table`: removes the dynamic entries of `tenant` (kAllTenants: of every
	// tenant) among `budget` slots from `cursor` on, and advances `cursor`; the clear is
	// done when it reaches capacity(). Spread over several calls so that no learning waits
	// long for the lock. Returns the entries removed.
	static constexpr uint32_t kAllTenants = abi::kAllTenants;
	size_t clear_step(size_t& cursor, size_t budget, uint32_t tenant);

	// Removes the entries `drop(entry)` selects: static ones, a tenant's, stale members'.
	template <class Pred>
	size_t remove_if(Pred drop)
	{
		lock();
		size_t removed = 0;
		for (size_t i = 0; i < capacity_; ++i) {
			if (slots_[i].member != abi::kNone && drop(slots_[i])) {
				remove_at(i);
				++removed;
			}
		}
		unlock();
		return removed;
	}

	// Another thread's copy of a slot, taken while workers write it: single loads of each
	// field, the key read before and after. False for a free slot, a tombstone or one that
	// changed meanwhile; a snapshot so taken may miss an entry that changes at that instant.
	static bool snapshot(const Entry& e, Entry& out)
	{
		const uint64_t k1 = load(e.key);
		out.member = load(e.member);
		out.seen = __atomic_load_n(&e.seen, __ATOMIC_ACQUIRE);
		out.key = k1;
		return k1 == load(e.key) && out.member != abi::kNone && (k1 >> 48) != 0xffff;
	}

	size_t size() const { return size_; }
	size_t capacity() const { return capacity_; }
	uint32_t dynamic_count(uint32_t tenant) const { return dynamic_[tenant]; }
	const Entry* slots() const { return slots_.get(); }

private:
	template <class T>
	static T load(const T& word)
	{
		return __atomic_load_n(&word, __ATOMIC_ACQUIRE);
	}
	bool add_static_locked(uint64_t key, uint32_t member, uint32_t seen);
	void erase_static_locked(uint64_t key);
	bool apply_static_changes(const abi::TableView& t);
	void scan_statics(const abi::TableView& t);
	void set_static_locked(const abi::TableView& t, uint64_t key, uint32_t member,
	                       bool movable);
	void erase_locked(uint64_t key);
	Entry* find_locked(uint64_t key, Entry** vacant);
	void put(Entry& slot, uint64_t key, uint32_t member, uint32_t seen);
	void remove_at(size_t i);
	void note(uint64_t key, uint32_t member)
	{
		if (logging_) {
			log_.append(key, member, epoch_);
		}
	}
	void lock();
	void unlock();

	HugeArray<Entry> slots_;
	HugeArray<uint32_t> own_counts_;
	uint32_t* dynamic_;  // per tenant: own_counts_ or the caller's
	size_t capacity_;
	size_t mask_;
	unsigned shift_;
	bool frozen_;
	// Written under the lock only.
	size_t size_ = 0;  // live entries
	size_t used_ = 0;  // live entries and tombstones
	size_t age_cursor_ = 0;
	// What adopt() last installed: the epoch, which image's statics, and the number of
	// the newest static change applied (tables.hpp, static_mac_key).
	bool adopted_ = false;
	uint32_t epoch_ = 0;
	uint64_t statics_origin_ = 0;
	const abi::U64Slot* statics_map_ = nullptr;
	const abi::StaticMacChange* statics_log_ = nullptr;
	uint64_t statics_applied_ = 0;
	shm::MacLogWriter log_;
	bool logging_ = false;
	alignas(64) std::atomic<bool> locked_{false};
	char pad_[64 - sizeof(std::atomic<bool>)];
};

}  // namespace tsunagi::dp
