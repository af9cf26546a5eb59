// tsunagid: the control daemon (DESIGN.md §1). Loads and validates the YAML, compiles it
// into tables and publishes them to the dataplane through shared memory; SIGHUP reloads.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "control/cli/program.hpp"
#include "control/compile/compiler.hpp"
#include "control/compile/table_writer.hpp"
#include "control/config/diff.hpp"
#include "control/config/loader.hpp"
#include "control/frr/render.hpp"
#include "control/neighbors/neighbor_watch.hpp"
#include "dataplane/shm/names.hpp"
#include "dataplane/shm/publisher.hpp"
#include "dataplane/shm/stats_segment.hpp"
#include "dataplane/shm/subscriber.hpp"

namespace po = boost::program_options;

namespace tsunagi::control {

namespace {

void log(const std::string& s)
{
	std::fprintf(stderr, "tsunagid: %s\n", s.c_str());
}

std::optional<std::string> read_text(const std::string& path)
{
	std::ifstream in(path);
	if (!in) {
		return std::nullopt;
	}
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

// The file that records the configuration in force, for --check and for a restarted
// daemon's diff.
std::string running_path(const config::Config& cfg)
{
	return cfg.node.runtime_dir + "/running.yaml";
}

void print_diff(const std::vector<std::string>& lines)
{
	if (lines.empty()) {
		std::cout << "no changes\n";
	}
	for (const auto& l : lines) {
		std::cout << l << "\n";
	}
	std::cout.flush();
}

int check(const std::string& path)
{
	const auto cfg = cli::load_config(path, "tsunagid");
	if (!cfg) {
		return cli::kExitConfig;
	}
	std::cout << path << ": valid\n";
	const std::string running = running_path(*cfg);
	if (auto text = read_text(running)) {
		auto before = config::load_string(*text, running);
		if (before.config) {
			std::cout << "changes against the running configuration (" << running
			          << "):\n";
			print_diff(config::diff(*before.config, *cfg));
			return 0;
		}
	}
	std::cout << "no running configuration in " << cfg->node.runtime_dir
	          << "; applying would create everything\n";
	return 0;
}

int render_frr(const std::string& path)
{
	const auto cfg = cli::load_config(path, "tsunagid");
	if (!cfg) {
		return cli::kExitConfig;
	}
	const compile::Image img = compile::compile(*cfg, 1);
	std::cout << frr::render(*cfg, frr::labels_of(abi::TableView(img.data())));
	return 0;
}

class Daemon {
public:
	Daemon(std::string path, config::Config cfg, shm::Publisher pub)
	    : path_(std::move(path)),
	      cfg_(std::move(cfg)),
	      pub_(std::move(pub)),
	      names_(shm::names_for(cfg_.node.runtime_dir))
	{
	}

	// Publishes `cfg` as the next generation: edited into the current image in place when
	// it can be, else built as a new image. `text` (the YAML it came from) becomes the
	// running configuration on disk. Neighbour changes republish without text: nothing the
	// operator wrote changed.
	bool apply(const config::Config& cfg, const std::string* text)
	{
		const auto t0 = std::chrono::steady_clock::now();
		const uint64_t gen = pub_.generation() + 1;
		const auto learned =
		    neighbors_ ? neighbors_->learned() : std::vector<config::Neighbor>{};
		std::string how;
		std::optional<uint64_t> offset;
		if (live_ && live_->writer->apply(cfg, learned, gen)) {
			offset = live_->writer->commit(gen);
			how = "edited in place, " +
			      std::to_string(live_->writer->take_bytes_written()) +
			      " bytes written";
		}
		if (!offset) {
			if (!build_image(cfg, learned, gen)) {
				return false;
			}
			offset = 0;
			how = "new image of " + std::to_string(live_->writer->layout().total) +
			      " bytes";
		}
		live_->header_offset = *offset;
		pub_.announce(live_->number, *offset);
		const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
		                    std::chrono::steady_clock::now() - t0)
		                    .count();
		log("published table generation " + std::to_string(gen) + " (" + how + ", in " +
		    std::to_string(us) + " us)");
		if (text != nullptr) {
			std::ofstream(running_path(cfg)) << *text;
		}
		return true;
	}

	void reload()
	{
		log("reloading " + path_);
		std::string text;
		auto next = cli::load_config(path_, "tsunagid", &text);
		if (!next) {
			log("the running configuration stays");
			return;
		}
		if (next->node.runtime_dir != cfg_.node.runtime_dir) {
			log("node.runtime_dir cannot change while running; nothing applied");
			return;
		}
		const auto changes = config::diff(cfg_, *next);
		for (const auto& l : changes) {
			log("  " + l);
		}
		if (changes.empty()) {
			log("no changes");
			return;
		}
		if (apply(*next, &text)) {
			cfg_ = std::move(*next);
		}
	}

	void collect()
	{
		if (!stats_) {
			std::string err;
			stats_ = shm::StatsReader::open(names_, err);
		}
		const uint64_t in_use = stats_ && stats_->alive() ? stats_->in_use_generation() : 0;
		if (live_) {
			live_->writer->reclaim(in_use);
		}
		pub_.collect(in_use);
		if (stats_ && !stats_->alive()) {
			stats_.reset();  // a restarted dataplane creates a new segment
		}
	}

	const config::Config& config() const { return cfg_; }

	// A restarted daemon continues from the generation it finds published, so tenant
	// and member indexes (and the dataplane's learned MACs) survive the restart.
	void adopt_published()
	{
		shm::Subscriber sub(names_);
		std::string err;
		if (auto m = sub.poll(err)) {
			log("continuing from published generation " +
			    std::to_string(m->generation));
			adopted_ = std::move(m);
		}
	}

	// Follows the kernel's neighbours on the punt interfaces of the L3 ports.
	void watch_neighbors()
	{
		std::map<std::string, std::string> interfaces;
		for (const auto& p : cfg_.ports) {
			if (p.role == config::PortRole::underlay ||
			    p.role == config::PortRole::interconnect) {
				interfaces[shm::punt_interface(p.name)] = p.name;
			}
		}
		std::string err;
		neighbors_ = NeighborWatch::open(std::move(interfaces), err);
		if (!neighbors_) {
			log("neighbour learning off: " + err +
			    "; VTEP next hops need `neighbors:`");
		}
	}

	int neighbor_fd() const { return neighbors_ ? neighbors_->fd() : -1; }

	void neighbors_changed()
	{
		if (neighbors_ && neighbors_->process()) {
			log("neighbours changed (" + std::to_string(neighbors_->learned().size()) +
			    " learned); republishing");
			apply(cfg_, nullptr);
		}
	}

	// Asks the kernel to resolve every VTEP next hop nobody has a MAC for yet.
	void probe_unresolved()
	{
		if (!neighbors_) {
			return;
		}
		for (const auto& t : cfg_.tenants) {
			for (const auto& v : t.vteps) {
				const auto hop = compile::vtep_next_hop(cfg_, v);
				if (!hop) {
					continue;
				}
				const std::string& port = cfg_.ports[hop->port].name;
				auto known = [&](const std::vector<config::Neighbor>& list) {
					return std::any_of(
					    list.begin(), list.end(), [&](const auto& n) {
						    return n.port == port && n.vlan == 0 &&
						           n.address == hop->address;
					    });
				};
				if (!known(cfg_.neighbors) && !known(neighbors_->learned())) {
					neighbors_->probe(port, hop->address);
				}
			}
		}
	}

private:
	std::string path_;
	config::Config cfg_;
	shm::Publisher pub_;
	shm::Names names_;
	std::optional<shm::StatsReader> stats_;
	std::unique_ptr<NeighborWatch> neighbors_;
	// Builds `cfg` into a new image object, keeping the indexes of the image in use.
	bool build_image(const config::Config& cfg, const std::vector<config::Neighbor>& learned,
	                 uint64_t gen)
	{
		std::optional<abi::TableView> previous;
		if (live_) {
			previous.emplace(live_->object.data(), live_->header_offset);
		} else if (adopted_) {
			previous.emplace(adopted_->data, adopted_->header_offset);
		}
		const compile::IdPlan ids(cfg, previous ? &*previous : nullptr, gen);
		const auto layout = compile::Layout::plan(cfg, ids, true);
		std::string err;
		auto obj = pub_.create_image(layout.total, err);
		if (!obj) {
			log("cannot publish tables: " + err + "; the running state stays");
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

	// The image the newest generation is in, and the writer that keeps it current.
	struct LiveImage {
		shm::Object object;
		uint64_t number;
		uint64_t header_offset;
		std::unique_ptr<compile::TableWriter> writer;
	};
	std::optional<LiveImage> live_;
	// The generation a previous daemon left published, until this one builds its own.
	std::optional<shm::Subscriber::Mapping> adopted_;
};

}  // namespace

int run(int argc, char** argv)
{
	std::string config_path;
	std::string check_path;
	std::string render_path;
	po::options_description desc(
	    "tsunagid: the Tsunagi control daemon\n\n"
	    "Usage: tsunagid [--config FILE]\n       tsunagid --check FILE\n\nOptions");
	cli::add_common_options(desc, config_path);
	desc.add_options()(
	    "check", po::value(&check_path),
	    "validate FILE, print what would change against the running configuration, apply "
	    "nothing")(
	    "render-frr", po::value(&render_path),
	    "print the FRR configuration FILE gives (labels as a fresh start allocates them)");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagid", desc, vm)) {
		return *rc;
	}
	if (!check_path.empty()) {
		return check(check_path);
	}
	if (!render_path.empty()) {
		return render_frr(render_path);
	}

	// Signals are taken synchronously, so a reload never interrupts a publication.
	sigset_t set;
	sigemptyset(&set);
	for (int s : {SIGHUP, SIGTERM, SIGINT}) {
		sigaddset(&set, s);
	}
	pthread_sigmask(SIG_BLOCK, &set, nullptr);

	std::string text;
	auto r = cli::load_config(config_path, "tsunagid", &text);
	if (!r) {
		return cli::kExitConfig;
	}
	std::error_code ec;
	std::filesystem::create_directories(r->node.runtime_dir, ec);
	if (ec) {
		log("cannot create " + r->node.runtime_dir + ": " + ec.message());
		return cli::kExitRuntime;
	}
	chmod(r->node.runtime_dir.c_str(), 0750);
	std::string err;
	auto pub = shm::Publisher::open(shm::names_for(r->node.runtime_dir), 0600, err);
	if (!pub) {
		log(err);
		return cli::kExitRuntime;
	}
	if (!pub->warning().empty()) {
		log(pub->warning());
	}
	Daemon d(config_path, *r, std::move(*pub));
	d.adopt_published();
	d.watch_neighbors();
	d.neighbors_changed();  // the kernel's current table, before the first publication
	if (!d.apply(d.config(), &text)) {
		return cli::kExitRuntime;
	}
	log("node " + d.config().node.name + " running; SIGHUP reloads " + config_path);
	const int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	auto next_probe = std::chrono::steady_clock::now();
	for (;;) {
		pollfd fds[2] = {{sfd, POLLIN, 0}, {d.neighbor_fd(), POLLIN, 0}};
		poll(fds, fds[1].fd < 0 ? 1 : 2, 200);
		if (fds[0].revents & POLLIN) {
			signalfd_siginfo si{};
			if (read(sfd, &si, sizeof(si)) == ssize_t(sizeof(si))) {
				if (si.ssi_signo == SIGHUP) {
					d.reload();
				} else {
					log("stopping; the dataplane keeps forwarding with the "
					    "tables it has");
					return 0;
				}
			}
		}
		if (fds[1].revents & POLLIN) {
			d.neighbors_changed();
		}
		if (const auto now = std::chrono::steady_clock::now(); now >= next_probe) {
			d.probe_unresolved();
			next_probe = now + std::chrono::seconds(1);
		}
		d.collect();
	}
}

}  // namespace tsunagi::control

int main(int argc, char** argv)
{
	return tsunagi::control::run(argc, argv);
}
