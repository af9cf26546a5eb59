// A table image in ordinary memory: what tsunagi-replay and the tests run on, and what a
// one-shot compile produces. The live daemon writes images straight into shared memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "common/abi/tables.hpp"

namespace tsunagi::compile {

class Image {
public:
	Image() = default;

	static Image zeroed(uint64_t size)
	{
		Image img;
		img.size_ = size;
		img.words_.assign((size + 7) / 8, 0);
		return img;
	}

	// An image already laid out elsewhere, copied.
	static Image copy_of(const void* data, uint64_t size)
	{
		Image img = zeroed(size);
		std::memcpy(img.words_.data(), data, size);
		return img;
	}

	const void* data() const { return words_.data(); }
	void* data() { return words_.data(); }
	uint64_t size() const { return size_; }
	// The header at offset 0, the one a fresh image is committed with.
	abi::Header& header() { return *reinterpret_cast<abi::Header*>(words_.data()); }

private:
	std::vector<uint64_t> words_;  // uint64_t keeps the base 8-byte aligned
	uint64_t size_ = 0;
};

}  // namespace tsunagi::compile
