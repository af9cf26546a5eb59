// Edits an open-addressing map of a table image in place while the dataplane probes it,
// with the hash and probing of abi::TableView::Map. An entry becomes visible by the release
// store of its ref after its key is written; a removed entry becomes a tombstone, which a
// later insert reuses only once no reader can still be comparing its old key.
#pragma once

#include <bit>
#include <cstdint>
#include <deque>
#include <unordered_set>

#include "common/abi/atomic.hpp"
#include "common/abi/hash.hpp"
#include "common/abi/tables.hpp"

namespace tsunagi::compile {

// Slots for `entries` keys: at most a third full when `spare` (room to grow in place),
// else at most half.
inline uint64_t map_capacity(uint64_t entries, bool spare)
{
	return std::bit_ceil(spare ? 3 * entries + 128 : 2 * entries + 2);
}

template <class Slot>
class SlotEditor {
public:
	using Key = decltype(Slot::key);

	SlotEditor() = default;
	// `slots` must be fresh (every ref kEmptyRef) or already edited only by an editor
	// whose counts are passed along.
	SlotEditor(Slot* slots, uint64_t capacity) : slots_(slots), mask_(capacity - 1) {}

	static void clear(Slot* slots, uint64_t capacity)
	{
		for (uint64_t i = 0; i < capacity; ++i) {
			slots[i] = Slot{};
			slots[i].ref = abi::kEmptyRef;
		}
	}

	// Whether `inserts` more keys keep the map at most half full, tombstones counted:
	// beyond that probes grow long and the image is rebuilt instead.
	bool room(uint64_t inserts) const { return 2 * (live_ + tombs_ + inserts) <= mask_ + 1; }

	// The ref stored for `key`, kEmptyRef when absent.
	uint64_t get(const Key& key) const
	{
		const Slot* s = find(key);
		return s != nullptr ? s->ref : abi::kEmptyRef;
	}

	// Inserts or updates; returns false (changing nothing) when the map is full.
	bool put(const Key& key, uint64_t ref)
	{
		Slot* reuse = nullptr;
		for (uint64_t i = abi::hash_key(key) & mask_;; i = (i + 1) & mask_) {
			Slot& s = slots_[i];
			const uint32_t v = abi::ref_value(s.ref);
			if (v == abi::kNone) {
				if (reuse != nullptr) {
					--tombs_;  // the key goes into a reusable tombstone met
					           // earlier
				} else if (!room(1)) {
					return false;
				} else {
					reuse = &s;
				}
				break;
			}
			if (v == abi::kTombstone) {
				if (reuse == nullptr && !fresh_.contains(i)) {
					reuse = &s;
				}
				continue;
			}
			if (s.key == key) {
				if (s.ref != ref) {
					abi::store_release(s.ref, ref);
				}
				return true;
			}
		}
		reuse->key = key;
		abi::store_release(reuse->ref, ref);
		++live_;
		return true;
	}

	// Removes `key` as of `generation`; returns whether it was there.
	bool erase(const Key& key, uint64_t generation)
	{
		Slot* s = find(key);
		if (s == nullptr) {
			return false;
		}
		abi::store_release(s->ref, abi::kTombstoneRef);
		const uint64_t i = uint64_t(s - slots_);
		fresh_.insert(i);
		pending_.push_back({generation, i});
		--live_;
		++tombs_;
		return true;
	}

	// Tombstones made by generations up to `in_use` may now be reused.
	void reclaim(uint64_t in_use)
	{
		while (!pending_.empty() && pending_.front().generation <= in_use) {
			const uint64_t slot = pending_.front().slot;
			fresh_.erase(slot);
			pending_.pop_front();
			release(slot);
		}
	}

	uint64_t live() const { return live_; }
	uint64_t tombstones() const { return tombs_; }
	uint64_t capacity() const { return mask_ + 1; }

private:
	Slot* find(const Key& key) const
	{
		for (uint64_t i = abi::hash_key(key) & mask_;; i = (i + 1) & mask_) {
			Slot& s = slots_[i];
			const uint32_t v = abi::ref_value(s.ref);
			if (v == abi::kNone) {
				return nullptr;
			}
			if (v != abi::kTombstone && s.key == key) {
				return &s;
			}
		}
	}

	// A reusable tombstone that ends its run (the next slot empty) lies on no key's probe,
	// so it becomes empty, and so do the reusable ones before it: keys that come and go
	// (static MACs replaced by others) would otherwise fill the map with tombstones that
	// new keys' short probes seldom pass.
	void release(uint64_t i)
	{
		if (abi::ref_value(slots_[(i + 1) & mask_].ref) != abi::kNone) {
			return;
		}
		for (uint64_t j = i;
		     abi::ref_value(slots_[j].ref) == abi::kTombstone && !fresh_.contains(j);
		     j = (j - 1) & mask_) {
			abi::store_release(slots_[j].ref, abi::kEmptyRef);
			--tombs_;
		}
	}

	struct Pending {
		uint64_t generation;
		uint64_t slot;
	};
	Slot* slots_ = nullptr;
	uint64_t mask_ = 0;
	uint64_t live_ = 0;
	uint64_t tombs_ = 0;
	std::unordered_set<uint64_t> fresh_;  // tombstones readers may still be looking at
	std::deque<Pending> pending_;
};

}  // namespace tsunagi::compile
