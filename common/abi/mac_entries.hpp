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

}  // namespace tsunagi::abi
