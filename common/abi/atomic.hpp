// The loads and stores of words that one process edits in place while another reads them
// (tables.hpp). Aligned word-sized accesses through the compiler's atomic builtins: plain
// moves on x86 and arm64, but the compiler may neither tear nor repeat them, and acquire /
// release order the entry a word refers to against the word itself.
#pragma once

#include <cstdint>
#include <type_traits>

namespace tsunagi::abi {

template <class T>
inline T load_acquire(const T& word)
{
	static_assert(std::is_integral_v<T> && sizeof(T) <= 8);
	return __atomic_load_n(&word, __ATOMIC_ACQUIRE);
}

template <class T>
inline void store_release(T& word, std::type_identity_t<T> value)
{
	static_assert(std::is_integral_v<T> && sizeof(T) <= 8);
	__atomic_store_n(&word, value, __ATOMIC_RELEASE);
}

}  // namespace tsunagi::abi
