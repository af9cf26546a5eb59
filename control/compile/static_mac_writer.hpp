// Edits an image's static MACs one at a time: the map a reader scans when it must, and the
// ring of changes (tables.hpp, static_mac_key) that lets it apply only what changed since
// the generation it last read. Each change costs the same whatever the number of statics.
#pragma once

#include <cstdint>

#include "common/abi/atomic.hpp"
#include "common/abi/tables.hpp"
#include "control/compile/slot_editor.hpp"

namespace tsunagi::compile {

class StaticMacWriter {
public:
	StaticMacWriter() = default;
	// `map` and `log` must be fresh (cleared map, zeroed ring).
	StaticMacWriter(abi::U64Slot* map, uint64_t map_slots, abi::StaticMacChange* log,
	                uint64_t log_slots)
	    : map_(map, map_slots), log_(log), log_mask_(log_slots - 1)
	{
	}

	// Whether `inserts` more keys fit (SlotEditor::room).
	bool room(uint64_t inserts) const { return map_.room(inserts); }
	bool has(uint64_t key) const { return abi::ref_value(map_.get(key)) != abi::kNone; }

	// Pins `key` on `member` of `tenant`; nothing is logged when it already was.
	void put(uint64_t key, uint32_t member, uint32_t tenant)
	{
		const uint64_t ref = abi::make_ref(member, tenant);
		if (map_.get(key) != ref && map_.put(key, ref)) {
			append(key, member);
		}
	}
	void erase(uint64_t key, uint64_t generation)
	{
		if (map_.erase(key, generation)) {
			append(key, abi::kNone);
		}
	}
	void reclaim(uint64_t in_use) { map_.reclaim(in_use); }

	uint64_t head() const { return head_; }
	uint64_t count() const { return map_.live(); }

private:
	void append(uint64_t key, uint32_t member)
	{
		const uint64_t seq = ++head_;
		abi::StaticMacChange& c = log_[seq & log_mask_];
		// A number no reader wants (neither this change's nor the one it replaces), so a
		// reader racing with these stores sees its word change and rescans.
		abi::store_release(c.word, abi::change_word(seq - 1, abi::kNone));
		abi::store_release(c.key, key);
		abi::store_release(c.word, abi::change_word(seq, member));
	}

	SlotEditor<abi::U64Slot> map_;
	abi::StaticMacChange* log_ = nullptr;
	uint64_t log_mask_ = 0;
	uint64_t head_ = 0;
};

}  // namespace tsunagi::compile
