// The control object: the one place a reader learns which table generation is the newest.
// tsunagid writes it; dataplanes map it read-only. See docs/shared-memory.md.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "common/abi/tables.hpp"

namespace tsunagi::shm {

inline constexpr uint64_t kControlMagic = 0x314c'5443'4e55'5354ull;  // "TSUNCTL1" little-endian

struct ControlBlock {
	// Written last, once everything else is in place (see mark_ready), so a reader that
	// opens the object mid-creation sees 0 and waits rather than refusing it.
	uint64_t magic;
	// The table ABI (abi::kAbiVersion) of the daemon that owns this object: every image it
	// publishes carries the same version, so a reader can refuse before opening any image.
	uint32_t abi_version;
	uint32_t size;  // sizeof(ControlBlock) as the writer knew it
	// Newest published generation, 0 = none yet. Stored with release after its header and
	// every entry it reaches are written; readers load it with acquire before they read
	// `image` and `header_offset` and open the image (see Publisher::announce()).
	std::atomic<uint64_t> generation;
	uint64_t daemon_pid;
	// CLOCK_MONOTONIC (ns) when the newest generation was published, for update latency.
	// Stored before `generation`, so whoever acquires a generation sees its time or a newer.
	std::atomic<uint64_t> publish_ns;
	// Where the newest generation's header is: image object `image` (names.image(image)),
	// at byte `header_offset`. Stored before `generation`; a reader that catches them
	// from a newer publication finds a header whose generation differs and tries again.
	std::atomic<uint64_t> image;
	std::atomic<uint64_t> header_offset;
};

static_assert(std::is_standard_layout_v<ControlBlock>);
static_assert(std::atomic<uint64_t>::is_always_lock_free,
              "a lock-based atomic would put a process-local lock into shared memory");
static_assert(sizeof(std::atomic<uint64_t>) == sizeof(uint64_t));
static_assert(offsetof(ControlBlock, generation) % alignof(uint64_t) == 0);
static_assert(sizeof(ControlBlock) == 56);

// Release: every field written before it (abi_version, size, pid, generation) is visible
// to a reader whose acquire load of the magic returns kControlMagic.
inline void mark_ready(ControlBlock& c)
{
	std::atomic_ref<uint64_t>(c.magic).store(kControlMagic, std::memory_order_release);
}

// Acquire: pairs with mark_ready, so the fields the reader checks next are the writer's.
// The const_cast only serves atomic_ref's signature: a lock-free 8-byte load does not
// write, so it is fine on a read-only mapping.
inline uint64_t load_magic(const ControlBlock& c)
{
	return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(c.magic))
	    .load(std::memory_order_acquire);
}

}  // namespace tsunagi::shm
