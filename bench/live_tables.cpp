#include "bench/live_tables.hpp"

namespace tsunagi::bench {

std::unique_ptr<LiveTables> LiveTables::open(const std::string& runtime_dir,
                                             const config::Config& cfg, uint64_t learned_routes,
                                             std::string& error)
{
	shm::Names names = shm::names_for(runtime_dir);
	auto pub = shm::Publisher::open(names, 0600, error);
	if (!pub) {
		return nullptr;
	}
	const uint64_t gen = pub->generation() + 1;
	const compile::IdPlan ids(cfg, nullptr, gen);
	const auto layout = compile::Layout::plan(cfg, ids, true, {learned_routes, 0});
	auto image = pub->create_image(layout.total, error);
	if (!image) {
		return nullptr;
	}
	std::unique_ptr<LiveTables> t(
	    new LiveTables(std::move(names), std::move(*pub), std::move(*image)));
	t->writer_ = std::make_unique<compile::TableWriter>(t->image_.data(), layout, cfg, ids,
	                                                    std::vector<config::Neighbor>{});
	t->writer_->commit(gen);
	t->image_number_ = gen;
	t->header_offset_ = 0;
	t->pub_.announce(t->image_number_, 0);
	return t;
}

LiveTables::~LiveTables()
{
	std::string ignored;
	for (const std::string& name : {names_.control, names_.stats, image_.name()}) {
		shm::Object::unlink(name, ignored);
	}
}

bool LiveTables::publish()
{
	const auto offset = writer_->commit(next_generation());
	if (!offset) {
		return false;
	}
	header_offset_ = *offset;
	pub_.announce(image_number_, header_offset_);
	return true;
}

const shm::StatsReader* LiveTables::stats()
{
	if (!stats_) {
		std::string ignored;
		stats_ = shm::StatsReader::open(names_, ignored);
	}
	return stats_ ? &*stats_ : nullptr;
}

uint64_t LiveTables::reclaim()
{
	const shm::StatsReader* s = stats();
	const uint64_t in_use = s != nullptr && s->alive() ? s->in_use_generation() : 0;
	writer_->reclaim(in_use);
	return in_use;
}

}  // namespace tsunagi::bench
