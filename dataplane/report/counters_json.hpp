// Counters as JSON, named the way operators see them: ports and tenants by name, drops
// by reason. Used by tsunagi-replay's counters.json.
#pragma once

#include <nlohmann/json.hpp>

#include "common/abi/counters.hpp"
#include "common/abi/table_view.hpp"
#include "dataplane/pipeline/mac_table.hpp"

namespace tsunagi::dp {

// `workers` blocks are added up; `macs` gives the table's current occupancy.
nlohmann::ordered_json counters_json(const abi::TableView& t, const WorkerCounters* const* workers,
                                     size_t n_workers, const MacTable& macs);

}  // namespace tsunagi::dp
