// Fills the open-addressing maps of a table image with the same hash and probing the
// dataplane's lookups use (dataplane/abi/table_view.hpp).
#pragma once

#include <bit>
#include <tuple>
#include <vector>

#include "dataplane/abi/hash.hpp"
#include "dataplane/abi/tables.hpp"

namespace tsunagi::compile {

// Load factor at most one half: short probe runs, and a miss always meets an empty slot.
inline size_t map_capacity(size_t entries)
{
	return std::bit_ceil(entries * 2 + 2);
}

// Entries are {key, value, aux}; the slot type decides the key type.
template <class Slot, class Key = decltype(Slot::key)>
std::vector<Slot> build_map(const std::vector<std::tuple<Key, uint32_t, uint32_t>>& entries)
{
	std::vector<Slot> slots(map_capacity(entries.size()), Slot{{}, abi::kNone, 0});
	const size_t mask = slots.size() - 1;
	for (const auto& [key, value, aux] : entries) {
		size_t i = abi::hash_key(key) & mask;
		while (slots[i].value != abi::kNone && !(slots[i].key == key)) {
			i = (i + 1) & mask;
		}
		slots[i] = Slot{key, value, aux};
	}
	return slots;
}

}  // namespace tsunagi::compile
