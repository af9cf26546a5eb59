// The node's learned-MAC changes, from the dataplane to tsunagid (BGP EVPN advertises a
// tenant's local MACs, docs/evpn.md): a ring in the counters segment that the dataplane
// appends to whenever its MAC table learns, moves or forgets a dynamic entry. Appends are
// made under the MAC table's lock, so there is one writer at a time; the one reader
// (tsunagid) never writes. The ring never blocks the dataplane: a reader that falls more
// than a ring behind finds its events overwritten, is told so, and reads the whole table
// once through the command socket instead (dump_macs).
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace tsunagi::shm {

struct MacEvent {
	// Its position in the log plus one, stored last (release) and 0 while it is written:
	// a reader that finds another value knows the slot was overwritten under it.
	uint64_t seq;
	uint64_t key;     // tenant << 48 | MAC, as dp::MacTable keys it
	uint32_t member;  // where the MAC is now; abi::kNone: the entry is gone
	uint32_t epoch;   // the table image's id_epoch the tenant and member indexes belong to
};
static_assert(std::is_trivially_copyable_v<MacEvent> && sizeof(MacEvent) == 24);

inline constexpr uint32_t kMacLogEvents = 1u << 16;  // a power of two

// The dataplane's end. `head` counts the events ever appended.
class MacLogWriter {
public:
	MacLogWriter() = default;
	MacLogWriter(MacEvent* ring, uint32_t capacity, std::atomic<uint64_t>* head)
	    : ring_(ring), mask_(capacity - 1), head_(head)
	{
	}

	void append(uint64_t key, uint32_t member, uint32_t epoch)
	{
		const uint64_t n = head_->load(std::memory_order_relaxed);
		MacEvent& e = ring_[n & mask_];
		__atomic_store_n(&e.seq, 0, __ATOMIC_RELAXED);
		// Readers that see the fields below also see the 0 above, so they never take a
		// half-written event for the old one.
		std::atomic_thread_fence(std::memory_order_release);
		__atomic_store_n(&e.key, key, __ATOMIC_RELAXED);
		__atomic_store_n(&e.member, member, __ATOMIC_RELAXED);
		__atomic_store_n(&e.epoch, epoch, __ATOMIC_RELAXED);
		__atomic_store_n(&e.seq, n + 1, __ATOMIC_RELEASE);
		head_->store(n + 1, std::memory_order_release);
	}

private:
	MacEvent* ring_ = nullptr;
	uint64_t mask_ = 0;
	std::atomic<uint64_t>* head_ = nullptr;
};

// tsunagid's end.
class MacLogReader {
public:
	MacLogReader() = default;
	MacLogReader(const MacEvent* ring, uint32_t capacity, const std::atomic<uint64_t>* head)
	    : ring_(ring), mask_(capacity - 1), capacity_(capacity), head_(head)
	{
	}

	uint64_t head() const { return head_->load(std::memory_order_acquire); }

	// Appends to `out` the events from position `next` on (at most `max`) and moves `next`
	// past them. False when some of them were overwritten before they were read: the
	// reader has lost track and must read the whole table again (from head() on).
	bool read(uint64_t& next, std::vector<MacEvent>& out, size_t max) const
	{
		const uint64_t end = head();
		if (end < next || end - next > capacity_) {
			return false;
		}
		for (; next < end && max > 0; ++next, --max) {
			const MacEvent& e = ring_[next & mask_];
			const uint64_t seq = __atomic_load_n(&e.seq, __ATOMIC_ACQUIRE);
			MacEvent copy{seq, __atomic_load_n(&e.key, __ATOMIC_RELAXED),
			              __atomic_load_n(&e.member, __ATOMIC_RELAXED),
			              __atomic_load_n(&e.epoch, __ATOMIC_RELAXED)};
			std::atomic_thread_fence(std::memory_order_acquire);
			if (seq != next + 1 || __atomic_load_n(&e.seq, __ATOMIC_RELAXED) != seq) {
				return false;
			}
			out.push_back(copy);
		}
		return true;
	}

private:
	const MacEvent* ring_ = nullptr;
	uint64_t mask_ = 0;
	uint64_t capacity_ = 0;
	const std::atomic<uint64_t>* head_ = nullptr;
};

}  // namespace tsunagi::shm
