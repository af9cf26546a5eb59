// The route feed's log lines: session events and what its timers did (resync.hpp), as
// tsunagid writes them, so an operator can follow a carrier's resynchronisation.
#pragma once

#include <string>

#include "control/routes/bmp.hpp"
#include "control/routes/vpn_rib.hpp"

namespace tsunagi::routes {

// A session event worth a line (up, down, End-of-RIB, route refresh markers); empty for
// routes and everything else.
std::string describe(const Event& e);

std::string describe(const ResyncAction& a, const ResyncTimers& timers);

}  // namespace tsunagi::routes
