// The static entries of a MacTable, kept equal to those of the newest tables adopted: the
// changes logged since the last adoption when the image's ring still holds them, else a
// scan of the image's static map (tables.hpp, static_mac_key).
#include "common/abi/atomic.hpp"
#include "dataplane/pipeline/mac_table.hpp"

namespace tsunagi::dp {

void MacTable::adopt(const abi::TableView& t)
{
	const abi::Header& h = t.header();
	if (!adopted_ || h.id_epoch != epoch_) {
		// Renumbered: an old index may now name another tenant's member.
		remove_if([](const Entry&) { return true; });
		adopted_ = true;
		epoch_ = h.id_epoch;
		scan_statics(t);
		return;
	}
	const bool same_image = h.static_origin == statics_origin_ &&
	                        t.static_map.slots == statics_map_ &&
	                        t.static_log.data == statics_log_;
	if (same_image && h.static_head == statics_applied_) {
		return;
	}
	// Skipped generations are fine as long as the ring still holds their changes.
	const bool in_ring = same_image && h.static_head > statics_applied_ &&
	                     h.static_head - statics_applied_ <= t.static_log.size;
	if (!in_ring || !apply_static_changes(t)) {
		scan_statics(t);
	}
}

void MacTable::erase_static_locked(uint64_t key)
{
	Entry* vacant;
	// Only while the tables' entry is still there: a remote MAC that moved here since is
	// learned, and stays.
	if (Entry* e = find_locked(key, &vacant); e != nullptr && abi::from_tables(e->seen)) {
		remove_at(size_t(e - slots_.get()));
	}
}

// An entry naming a member or tenant the tables do not have is corrupt or on its way out:
// it pins nothing. `movable`: a remote MAC (abi::kMovableStatic).
void MacTable::set_static_locked(const abi::TableView& t, uint64_t key, uint32_t member,
                                 bool movable)
{
	const auto tenant = uint32_t(key >> 48);
	if (member < t.members.size && tenant < t.tenants.size && tenant < abi::kMaxTenants) {
		add_static_locked(key, member, movable ? kRemote : kStatic);
	} else {
		erase_static_locked(key);
	}
}

// False when the writer overwrote a change before it was read: the caller scans instead
// (the changes applied so far are then applied again, which changes nothing).
bool MacTable::apply_static_changes(const abi::TableView& t)
{
	const uint64_t head = t.header().static_head;
	const uint64_t mask = t.static_log.size - 1;  // a power of two (TableView::check)
	bool whole = true;
	lock();
	for (uint64_t s = statics_applied_ + 1; s <= head; ++s) {
		const abi::StaticMacChange& c = t.static_log[s & mask];
		const uint64_t w = abi::load_acquire(c.word);
		const uint64_t key = abi::load_acquire(c.key);
		if (abi::load_acquire(c.word) != w || abi::change_seq(w) != uint32_t(s)) {
			whole = false;
			break;
		}
		const uint32_t member = abi::change_member(w);
		if (member == abi::kNone) {
			erase_static_locked(key);
		} else {
			set_static_locked(t, key, member & ~abi::kMovableStatic,
			                  (member & abi::kMovableStatic) != 0);
		}
	}
	unlock();
	if (whole) {
		statics_applied_ = head;
	}
	return whole;
}

// What the map holds may already include changes newer than `t`: they are logged after
// its head, so applying them again next time is harmless.
void MacTable::scan_statics(const abi::TableView& t)
{
	lock();
	// The new entries first, so a static MAC that stays is never missing meanwhile.
	t.for_each_static([&](uint64_t key, uint32_t member, bool movable) {
		set_static_locked(t, key, member, movable);
	});
	for (size_t i = 0; i < capacity_; ++i) {
		const Entry& e = slots_[i];
		if (e.member != abi::kNone && abi::from_tables(e.seen) &&
		    abi::ref_value(t.static_map.find(e.key)) == abi::kNone) {
			remove_at(i);
		}
	}
	unlock();
	statics_origin_ = t.header().static_origin;
	statics_map_ = t.static_map.slots;
	statics_log_ = t.static_log.data;
	statics_applied_ = t.header().static_head;
}

}  // namespace tsunagi::dp
