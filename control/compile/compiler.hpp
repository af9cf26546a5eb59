// Compiles a validated configuration into the table image the pipeline reads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "control/compile/image.hpp"

namespace tsunagi::compile {

// A whole image of `cfg` in ordinary memory (see TableWriter for one kept current in
// place). With the `previous` image, every tenant and member that is still there keeps its
// index (see id_plan.hpp); `spare` leaves room to edit it in place.
Image compile(const config::Config& cfg, uint64_t generation,
              const std::vector<config::Neighbor>& learned = {},
              const abi::TableView* previous = nullptr, bool spare = false);

}  // namespace tsunagi::compile
