#include "dataplane/pipeline/mac_table.hpp"

#include <rte_pause.h>

#include <algorithm>
#include <bit>

namespace tsunagi::dp {

// How the words of a slot change under lock-free readers, which read the key, then the
// member (acquire each, so a key is never seen before the member stored ahead of it):
// - put: seen, then member, then key. A reader sees the old key (the slot still free or a
//   tombstone: it goes on probing past a member that is not kNone) or the new one with
//   its member.
// - remove: key becomes kTombKey, then member kNone. A reader sees the live entry, or a
//   tombstone it probes past; never a free slot in the middle of a run.
// - a tombstone becomes free only when the slot after it is free: every key whose probe
//   passes that slot lies before it, so a probe stopping there misses nothing.

MacTable::MacTable(size_t capacity, uint32_t* dynamic_counts, bool frozen)
    : capacity_(std::bit_ceil(capacity < 16 ? size_t{16} : capacity)),
      mask_(capacity_ - 1),
      shift_(unsigned(64 - std::countr_zero(capacity_))),
      frozen_(frozen)
{
	slots_ = HugeArray<Entry>(capacity_);
	for (size_t i = 0; i < capacity_; ++i) {
		slots_[i] = Entry{kFreeKey, abi::kNone, 0};
	}
	if (dynamic_counts == nullptr) {
		own_counts_ = HugeArray<uint32_t>(abi::kMaxTenants + 1);
		dynamic_counts = own_counts_.get();
	}
	dynamic_ = dynamic_counts;
}

MacTable::~MacTable() = default;

void MacTable::lock()
{
	while (locked_.exchange(true, std::memory_order_acquire)) {
		while (locked_.load(std::memory_order_relaxed)) {
			rte_pause();
		}
	}
}

void MacTable::unlock()
{
	locked_.store(false, std::memory_order_release);
}

MacTable::Entry* MacTable::find_locked(uint64_t key, Entry** vacant)
{
	*vacant = nullptr;
	for (size_t i = home(key);; i = (i + 1) & mask_) {
		Entry& e = slots_[i];
		if (e.key == key && e.member != abi::kNone) {
			return &e;
		}
		if (e.member == abi::kNone && *vacant == nullptr) {
			*vacant = &e;  // the first tombstone, else the free slot that ends the run
		}
		if (e.member == abi::kNone && e.key != kTombKey) {
			return nullptr;
		}
	}
}

void MacTable::put(Entry& slot, uint64_t key, uint32_t member, uint32_t seen)
{
	if (slot.key != kTombKey) {
		++used_;
	}
	++size_;
	__atomic_store_n(&slot.seen, seen, __ATOMIC_RELAXED);
	__atomic_store_n(&slot.member, member, __ATOMIC_RELEASE);
	__atomic_store_n(&slot.key, key, __ATOMIC_RELEASE);
}

void MacTable::remove_at(size_t i)
{
	Entry& e = slots_[i];
	if (e.seen < kRemote) {
		--dynamic_[e.key >> 48];
		note(e.key, abi::kNone);
	}
	--size_;
	__atomic_store_n(&e.key, kTombKey, __ATOMIC_RELEASE);
	__atomic_store_n(&e.member, abi::kNone, __ATOMIC_RELEASE);
	// Tombstones that now end their run become free, back to the first live entry.
	if (slots_[(i + 1) & mask_].key != kFreeKey) {
		return;
	}
	for (size_t j = i; slots_[j].key == kTombKey; j = (j - 1) & mask_) {
		__atomic_store_n(&slots_[j].key, kFreeKey, __ATOMIC_RELEASE);
		--used_;
	}
}

MacTable::Learn MacTable::learn_locked(uint64_t key, uint32_t member, uint32_t now, uint32_t limit,
                                       uint32_t aging)
{
	if (frozen_) {
		return Learn::refreshed;
	}
	lock();
	Learn r;
	Entry* vacant;
	if (Entry* e = find_locked(key, &vacant)) {
		if (e->seen == kStatic) {
			r = Learn::pinned;
		} else if (e->member == member) {
			if (e->seen != kRemote) {
				__atomic_store_n(&e->seen, now, __ATOMIC_RELAXED);
			}
			r = Learn::refreshed;
		} else {
			// A remote MAC heard from here: the host moved to this member, which
			// learns it (and the control plane advertises it from here). An aged-out
			// entry coming back elsewhere is new to the segment, not a move.
			const bool remote = e->seen == kRemote;
			r = !remote && now - e->seen > aging ? Learn::learned : Learn::moved;
			if (remote) {
				++dynamic_[key >> 48];
			}
			__atomic_store_n(&e->seen, now, __ATOMIC_RELAXED);
			__atomic_store_n(&e->member, member, __ATOMIC_RELEASE);
			note(key, member);
		}
	} else if (const auto tenant = uint32_t(key >> 48);
	           limit != 0 && dynamic_[tenant] >= limit) {
		r = Learn::limit;
	} else if (vacant->key != kTombKey && used_ + 1 > capacity_ - capacity_ / 8) {
		// One slot in eight stays free: a full table would make misses probe forever.
		r = Learn::full;
	} else {
		put(*vacant, key, member, now);
		++dynamic_[tenant];
		note(key, member);
		r = Learn::learned;
	}
	unlock();
	return r;
}

bool MacTable::add_static_locked(uint64_t key, uint32_t member, uint32_t seen)
{
	Entry* vacant;
	if (Entry* e = find_locked(key, &vacant)) {
		if (e->seen < kRemote) {
			--dynamic_[key >> 48];
			note(key, abi::kNone);  // no longer learned: the tables pin it
		}
		__atomic_store_n(&e->seen, seen, __ATOMIC_RELAXED);
		__atomic_store_n(&e->member, member, __ATOMIC_RELEASE);
		return true;
	}
	if (vacant->key != kTombKey && used_ + 1 > capacity_ - capacity_ / 8) {
		return false;
	}
	put(*vacant, key, member, seen);
	return true;
}

bool MacTable::add_static(uint64_t key, uint32_t member, uint32_t seen)
{
	lock();
	const bool ok = add_static_locked(key, member, seen);
	unlock();
	return ok;
}

void MacTable::erase_locked(uint64_t key)
{
	Entry* vacant;
	if (Entry* e = find_locked(key, &vacant)) {
		remove_at(size_t(e - slots_.get()));
	}
}

void MacTable::erase(uint64_t key)
{
	lock();
	erase_locked(key);
	unlock();
}

size_t MacTable::age(uint32_t now, uint32_t aging, size_t budget)
{
	budget = std::min(budget, capacity_);
	size_t removed = 0;
	lock();
	for (size_t scanned = 0; scanned < budget; ++scanned) {
		const Entry& e = slots_[age_cursor_];
		if (e.member != abi::kNone && e.seen < kRemote && now - e.seen > aging) {
			remove_at(age_cursor_);
			++removed;
		}
		age_cursor_ = (age_cursor_ + 1) & mask_;
	}
	unlock();
	return removed;
}

size_t MacTable::clear_step(size_t& cursor, size_t budget, uint32_t tenant)
{
	size_t removed = 0;
	const size_t end = std::min(capacity_, cursor + budget);
	lock();
	for (; cursor < end; ++cursor) {
		const Entry& e = slots_[cursor];
		if (e.member != abi::kNone && e.seen < kRemote &&
		    (tenant == kAllTenants || (e.key >> 48) == tenant)) {
			remove_at(cursor);
			++removed;
		}
	}
	unlock();
	return removed;
}

}  // namespace tsunagi::dp
