// Fills the open-addressing maps of a table image with the same hash and probing the
// dataplane's lookups use (dataplane/abi/table_view.hpp).
#pragma once

#include <bit>
#include <vector>

#include "dataplane/abi/hash.hpp"
#include "dataplane/abi/tables.hpp"

namespace tsunagi::compile {

// Load factor at most one half: short probe runs, and a miss always meets an empty slot.
inline size_t map_capacity(size_t entries) { return std::bit_ceil(entries * 2 + 2); }

inline std::vector<abi::U64Slot> build_u64_map(const std::vector<std::pair<uint64_t, uint32_t>>& kv)
{
	std::vector<abi::U64Slot> slots(map_capacity(kv.size()), abi::U64Slot{0, abi::kNone, 0});
	const size_t mask = slots.size() - 1;
	for (const auto& [key, value] : kv) {
		size_t i = abi::mix64(key) & mask;
		while (slots[i].value != abi::kNone && slots[i].key != key) {
			i = (i + 1) & mask;
		}
		slots[i] = abi::U64Slot{key, value, 0};
	}
	return slots;
}

inline std::vector<abi::VtepSlot> build_vtep_map(
    const std::vector<std::pair<abi::VtepKey, uint32_t>>& kv)
{
	std::vector<abi::VtepSlot> slots(map_capacity(kv.size()), abi::VtepSlot{{}, abi::kNone, 0});
	const size_t mask = slots.size() - 1;
	for (const auto& [key, value] : kv) {
		size_t i = abi::hash_bytes(&key, sizeof(key)) & mask;
		while (slots[i].value != abi::kNone && !(slots[i].key == key)) {
			i = (i + 1) & mask;
		}
		slots[i] = abi::VtepSlot{key, value, 0};
	}
	return slots;
}

}  // namespace tsunagi::compile
