// Lays out a table image: a Header, then each section 64-byte aligned, all addressed by
// offset so the bytes can be copied into shared memory as they are.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "dataplane/abi/tables.hpp"

namespace tsunagi::compile {

class Image {
public:
	Image() = default;
	// An image already laid out elsewhere (the generation a restarted daemon finds
	// published), copied so it can serve as the previous image of the next compile.
	static Image copy_of(const void* data, uint64_t size)
	{
		Image img;
		img.size_ = size;
		img.words_.resize((size + 7) / 8);
		std::memcpy(img.words_.data(), data, size);
		return img;
	}

	const void* data() const { return words_.data(); }
	void* data() { return words_.data(); }
	uint64_t size() const { return size_; }
	abi::Header& header() { return *reinterpret_cast<abi::Header*>(words_.data()); }

private:
	friend class ImageBuilder;
	std::vector<uint64_t> words_;  // uint64_t keeps the base 8-byte aligned
	uint64_t size_ = 0;
};

class ImageBuilder {
public:
	ImageBuilder() { bytes_.resize(sizeof(abi::Header)); }

	template <class T>
	abi::Section add(std::span<const T> items)
	{
		static_assert(std::is_trivially_copyable_v<T>);
		bytes_.resize((bytes_.size() + 63) & ~uint64_t{63});
		const abi::Section s{bytes_.size(), items.size()};
		bytes_.resize(bytes_.size() + items.size_bytes());
		if (!items.empty()) {
			std::memcpy(bytes_.data() + s.offset, items.data(), items.size_bytes());
		}
		return s;
	}

	Image finish(const abi::Header& header)
	{
		Image img;
		img.size_ = bytes_.size();
		img.words_.resize((bytes_.size() + 7) / 8);
		std::memcpy(img.words_.data(), bytes_.data(), bytes_.size());
		abi::Header h = header;
		h.header_size = sizeof(abi::Header);
		h.total_size = img.size_;
		std::memcpy(img.words_.data(), &h, sizeof(h));
		return img;
	}

private:
	std::vector<uint8_t> bytes_;
};

}  // namespace tsunagi::compile
