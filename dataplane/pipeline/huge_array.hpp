// Large per-worker arrays (MAC table, counters) in anonymous memory that asks the kernel
// for transparent huge pages: lookups spread over tens of megabytes miss the TLB on
// almost every packet with 4 KiB pages, and no hugepages need be reserved for it.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>

namespace tsunagi::dp {

template <class T>
class HugeArray {
	static_assert(std::is_trivially_destructible_v<T>);

public:
	HugeArray() = default;
	explicit HugeArray(size_t n) : n_(n)
	{
		constexpr size_t kHuge = size_t{2} << 20;
		bytes_ = (n * sizeof(T) + kHuge - 1) & ~(kHuge - 1);
		void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		               -1, 0);
		if (p == MAP_FAILED) {
			throw std::bad_alloc();
		}
		// Advice only: without THP the array still works, on small pages.
		madvise(p, bytes_, MADV_HUGEPAGE);
		data_ = new (p) T[n]();
	}
	~HugeArray()
	{
		if (data_ != nullptr) {
			munmap(data_, bytes_);
		}
	}
	HugeArray(HugeArray&& o) noexcept : data_(o.data_), n_(o.n_), bytes_(o.bytes_)
	{
		o.data_ = nullptr;
	}
	HugeArray& operator=(HugeArray&& o) noexcept
	{
		std::swap(data_, o.data_);
		std::swap(n_, o.n_);
		std::swap(bytes_, o.bytes_);
		return *this;
	}

	T& operator[](size_t i) { return data_[i]; }
	const T& operator[](size_t i) const { return data_[i]; }
	T* get() { return data_; }
	const T* get() const { return data_; }
	size_t size() const { return n_; }

private:
	T* data_ = nullptr;
	size_t n_ = 0;
	size_t bytes_ = 0;
};

}  // namespace tsunagi::dp
