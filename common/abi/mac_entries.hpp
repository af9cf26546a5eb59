// What a learned or static MAC entry is wherever it is seen outside the worker that holds
// it (the counters segment, the dataplane's MAC dump, the shell): its key packs the
// tenant index into the top 16 bits above the MAC.
#pragma once

#include <cstdint>

namespace tsunagi::abi {

inline constexpr uint32_t kMaxTenants = 0xffff;  // a tenant index takes 16 bits of a MAC key
// A request about MAC entries that concerns every tenant (dump, clear).
inline constexpr uint32_t kAllTenants = 0xffffffffu;
// The `seen` time of a static entry: it never ages or moves.
inline constexpr uint32_t kStaticMac = 0xffffffffu;
// The `seen` time of a remote MAC the tables give (EVPN): it never ages, but learning the
// MAC on another member moves it (tables.hpp, kMovableStatic).
inline constexpr uint32_t kRemoteMac = 0xfffffffeu;
// Whether an entry came from the tables (static or remote) rather than from learning.
inline constexpr bool from_tables(uint32_t seen)
{
	return seen >= kRemoteMac;
}

}  // namespace tsunagi::abi
