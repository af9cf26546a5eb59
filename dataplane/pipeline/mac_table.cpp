#include "dataplane/pipeline/mac_table.hpp"

#include <algorithm>

#include <bit>

namespace tsunagi::dp {

MacTable::MacTable(size_t capacity, uint32_t* dynamic_counts)
    : capacity_(std::bit_ceil(capacity < 16 ? size_t{16} : capacity)), mask_(capacity_ - 1)
{
	slots_ = HugeArray<Entry>(capacity_);
	for (size_t i = 0; i < capacity_; ++i) {
		slots_[i] = Entry{0, abi::kNone, 0};
	}
	if (dynamic_counts == nullptr) {
		own_counts_ = HugeArray<uint32_t>(abi::kMaxTenants + 1);
		dynamic_counts = own_counts_.get();
	}
	dynamic_ = dynamic_counts;
}

MacTable::Learn MacTable::learn(size_t home, uint64_t key, uint32_t member, uint32_t now,
                                const uint32_t* limit, uint32_t aging)
{
	size_t i = home;
	for (;; i = (i + 1) & mask_) {
		Entry& e = slots_[i];
		if (e.member == abi::kNone) {
			break;
		}
		if (e.key != key) {
			continue;
		}
		if (e.seen == kStatic) {
			return Learn::pinned;
		}
		const bool expired = now - e.seen > aging;
		if (e.member == member) {
			// Most frames refresh a known MAC: write only when the second changed, so
			// the line is not dirtied on every packet.
			if (e.seen != now) {
				e.seen = now;
			}
			return Learn::refreshed;
		}
		e.seen = now;
		e.member = member;
		// An aged-out entry coming back elsewhere is new to the segment, not a move.
		return expired ? Learn::learned : Learn::moved;
	}
	const auto tenant = static_cast<uint32_t>(key >> 48);
	if (*limit != 0 && dynamic_[tenant] >= *limit) {
		return Learn::limit;
	}
	// Keep one slot in eight free: a full table would make misses probe forever.
	if (size_ + 1 > capacity_ - capacity_ / 8) {
		return Learn::full;
	}
	slots_[i] = Entry{key, member, now};
	++size_;
	++dynamic_[tenant];
	return Learn::learned;
}

bool MacTable::add_static(uint64_t key, uint32_t member)
{
	size_t i = home(key);
	for (;; i = (i + 1) & mask_) {
		Entry& e = slots_[i];
		if (e.member == abi::kNone) {
			break;
		}
		if (e.key == key) {
			if (e.seen != kStatic) {
				--dynamic_[key >> 48];
			}
			e.member = member;
			e.seen = kStatic;
			return true;
		}
	}
	if (size_ + 1 > capacity_ - capacity_ / 8) {
		return false;
	}
	slots_[i] = Entry{key, member, kStatic};
	++size_;
	return true;
}

void MacTable::erase(uint64_t key)
{
	for (size_t i = home(key); slots_[i].member != abi::kNone; i = (i + 1) & mask_) {
		if (slots_[i].key == key) {
			erase_at(i);
			return;
		}
	}
}

void MacTable::erase_at(size_t i)
{
	if (slots_[i].seen != kStatic) {
		--dynamic_[slots_[i].key >> 48];
	}
	--size_;
	// Backward-shift: pull later entries of the run into the hole when their home slot
	// allows it, so every remaining entry stays reachable from its home.
	size_t hole = i;
	for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
		Entry& e = slots_[j];
		if (e.member == abi::kNone) {
			break;
		}
		const size_t h = home(e.key);
		const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
		if (movable) {
			slots_[hole] = e;
			hole = j;
		}
	}
	slots_[hole] = Entry{0, abi::kNone, 0};
}

size_t MacTable::age(uint32_t now, uint32_t aging, size_t budget)
{
	size_t removed = 0;
	if (budget > capacity_) {
		budget = capacity_;
	}
	for (size_t scanned = 0; scanned < budget;) {
		Entry& e = slots_[age_cursor_];
		if (e.member != abi::kNone && e.seen != kStatic && now - e.seen > aging) {
			// The shift may pull an unvisited entry into this slot: look at it again.
			// Removals are bounded by the entries, so this cannot loop for ever.
			erase_at(age_cursor_);
			++removed;
			continue;
		}
		age_cursor_ = (age_cursor_ + 1) & mask_;
		++scanned;
	}
	return removed;
}

size_t MacTable::clear_step(size_t& cursor, size_t budget, uint32_t tenant)
{
	size_t removed = 0;
	const size_t end = std::min(capacity_, cursor + budget);
	while (cursor < end) {
		const Entry& e = slots_[cursor];
		if (e.member != abi::kNone && e.seen != kStatic &&
		    (tenant == kAllTenants || (e.key >> 48) == tenant)) {
			// As in age(): the shift may pull another entry here; look again. Entries
			// only ever move backwards, into this slot or behind the cursor from slots
			// already visited, so every entry is visited once.
			erase_at(cursor);
			++removed;
			continue;
		}
		++cursor;
	}
	return removed;
}

}  // namespace tsunagi::dp
