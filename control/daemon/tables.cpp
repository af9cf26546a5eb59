#include "control/daemon/tables.hpp"

#include "control/compile/id_plan.hpp"
#include "control/daemon/log.hpp"

namespace tsunagi::control {

void Tables::adopt_published(const shm::Names& names)
{
	shm::Subscriber sub(names);
	std::string err;
	if (auto m = sub.poll(err)) {
		log("continuing from published generation " + std::to_string(m->generation));
		adopted_ = std::move(m);
	}
}

abi::TableView Tables::view() const
{
	if (live_) {
		return abi::TableView(live_->object.data(), live_->header_offset);
	}
	if (adopted_) {
		return abi::TableView(adopted_->data, adopted_->header_offset);
	}
	return {};
}

uint64_t Tables::image_bytes() const
{
	return live_ ? live_->object.size() : adopted_ ? adopted_->size : 0;
}

std::optional<uint64_t> Tables::edit(const config::Config& cfg,
                                     const std::vector<config::Neighbor>& learned, uint64_t gen)
{
	if (!live_ || !live_->writer->apply(cfg, learned, gen)) {
		return std::nullopt;
	}
	return live_->writer->commit(gen);
}

bool Tables::rebuild(const config::Config& cfg, const std::vector<config::Neighbor>& learned,
                     uint64_t gen, std::array<uint64_t, 2> learned_routes, std::string& error)
{
	const abi::TableView previous = view();
	const compile::IdPlan ids(cfg, previous.valid() ? &previous : nullptr, gen);
	const auto layout = compile::Layout::plan(cfg, ids, true, learned_routes);
	auto obj = pub_.create_image(layout.total, error);
	if (!obj) {
		return false;
	}
	auto writer =
	    std::make_unique<compile::TableWriter>(obj->data(), layout, cfg, ids, learned);
	writer->commit(gen);
	writer->take_bytes_written();  // the next edit reports only its own writes
	live_.emplace(LiveImage{std::move(*obj), gen, 0, std::move(writer)});
	adopted_.reset();
	return true;
}

void Tables::announce(uint64_t header_offset)
{
	live_->header_offset = header_offset;
	pub_.announce(live_->number, header_offset);
}

void Tables::collect(uint64_t in_use)
{
	if (live_) {
		live_->writer->reclaim(in_use);
	}
	pub_.collect(in_use);
}

}  // namespace tsunagi::control
