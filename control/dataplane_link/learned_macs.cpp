#include "control/dataplane_link/learned_macs.hpp"

#include "common/abi/mac_entries.hpp"
#include "common/abi/tables.hpp"
#include "control/dataplane_link/command_client.hpp"

namespace tsunagi::control {

namespace {
// Events read per call: a pass of the daemon's loop stays short even when the dataplane
// learned a whole ring's worth since the last.
constexpr size_t kEventsPerPass = 1u << 16;
}  // namespace

bool LearnedMacs::follow(const shm::MacLogReader& log)
{
	if (!synced_) {
		return false;
	}
	batch_.clear();
	if (!log.read(next_, batch_, kEventsPerPass)) {
		synced_ = false;
		return false;
	}
	for (const shm::MacEvent& e : batch_) {
		apply(e);
	}
	events_ += batch_.size();
	return true;
}

void LearnedMacs::apply(const shm::MacEvent& e)
{
	if (e.epoch != epoch_) {
		// The dataplane took tables of another numbering and forgot every entry; the
		// removals of the old ones came before this event.
		entries_.clear();
		epoch_ = e.epoch;
	}
	if (e.member == abi::kNone) {
		entries_.erase(e.key);
	} else {
		entries_[e.key] = e.member;
	}
	++version_;
}

void LearnedMacs::resync(const shm::MacDump& dump, uint64_t head, uint32_t epoch)
{
	entries_.clear();
	for (const shm::MacRecord& r : dump.records) {
		if (!abi::from_tables(r.seen)) {
			entries_[r.key] = r.member;
		}
	}
	epoch_ = epoch;
	next_ = head;
	synced_ = true;
	++resyncs_;
	++version_;
}

}  // namespace tsunagi::control
