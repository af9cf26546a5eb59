#include "control/compile/compiler.hpp"

#include "control/compile/id_plan.hpp"
#include "control/compile/table_writer.hpp"

namespace tsunagi::compile {

using config::Config;

Image compile(const Config& cfg, uint64_t generation, const std::vector<config::Neighbor>& learned,
              const abi::TableView* previous, bool spare)
{
	const IdPlan ids(cfg, previous, generation);
	const Layout layout = Layout::plan(cfg, ids, spare);
	Image img = Image::zeroed(layout.total);
	TableWriter w(img.data(), layout, cfg, ids, learned);
	w.commit(generation);
	return img;
}

}  // namespace tsunagi::compile
