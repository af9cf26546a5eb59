// Space inside a live table image for what is replaced whole rather than edited in place:
// flood lists, VRF next hops and generation headers. Blocks are powers of two from a
// bump region; a block that readers may still hold is recycled only once the dataplane
// reports a generation at or after the one that let go of it (docs/shared-memory.md).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <deque>
#include <vector>

namespace tsunagi::compile {

class Heap {
public:
	Heap() = default;
	Heap(uint64_t begin, uint64_t end) : top_(begin), end_(end) {}

	static constexpr uint64_t kMinBlock = 64;

	static uint64_t block_size(uint64_t bytes)
	{
		return std::bit_ceil(bytes < kMinBlock ? kMinBlock : bytes);
	}

	// A block of at least `bytes`, 64-byte aligned; 0 when the region is exhausted.
	uint64_t alloc(uint64_t bytes)
	{
		const uint64_t size = block_size(bytes);
		auto& list = free_[cls(size)];
		if (!list.empty()) {
			const uint64_t off = list.back();
			list.pop_back();
			return off;
		}
		if (end_ - top_ < size) {
			return 0;
		}
		const uint64_t off = top_;
		top_ += size;
		return off;
	}

	// Whether blocks of these sizes (bytes each) can all be allocated now.
	bool fits(const std::vector<uint64_t>& sizes) const
	{
		std::array<uint64_t, kClasses> wanted{};
		uint64_t from_top = 0;
		for (uint64_t b : sizes) {
			const uint64_t size = block_size(b);
			if (++wanted[cls(size)] > free_[cls(size)].size()) {
				from_top += size;
			}
		}
		return from_top <= end_ - top_;
	}

	// Gives back a block that readers of generations before `generation` may still read.
	void retire(uint64_t offset, uint64_t bytes, uint64_t generation)
	{
		retired_.push_back({generation, offset, block_size(bytes)});
	}

	// Recycles the blocks retired by generations up to `in_use`, the newest generation
	// every worker has switched to.
	void reclaim(uint64_t in_use)
	{
		while (!retired_.empty() && retired_.front().generation <= in_use) {
			free_[cls(retired_.front().size)].push_back(retired_.front().offset);
			retired_.pop_front();
		}
	}

	uint64_t top() const { return top_; }
	uint64_t end() const { return end_; }

private:
	static constexpr unsigned kClasses = 64;
	static unsigned cls(uint64_t size) { return unsigned(std::countr_zero(size)); }

	struct Retired {
		uint64_t generation;
		uint64_t offset;
		uint64_t size;
	};
	uint64_t top_ = 0;
	uint64_t end_ = 0;
	std::array<std::vector<uint64_t>, kClasses> free_;
	std::deque<Retired> retired_;
};

}  // namespace tsunagi::compile
