// tsunagid: the control daemon (DESIGN.md §1, docs/architecture.md). Options, start-up and
// the poll loop; what the daemon does lives in its components (node.hpp and below).
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>

#include "common/cli/program.hpp"
#include "common/cli/runtime_dir.hpp"
#include "common/cli/service.hpp"
#include "common/shm/names.hpp"
#include "common/shm/node_group.hpp"
#include "control/daemon/log.hpp"
#include "control/daemon/node.hpp"
#include "control/daemon/offline.hpp"
#include "control/daemon/shell_backend.hpp"
#include "control/dataplane_link/publisher.hpp"
#include "control/shell/protocol.hpp"
#include "control/shell/server.hpp"
#include "control/shell/shell.hpp"

namespace po = boost::program_options;

namespace tsunagi::control {

namespace {

struct Options {
	std::string config_path;
	size_t max_config_bytes = 0;
	std::string check_path;
	std::string render_path;
	bool run_frr = false;
	uint16_t bmp_port = 11019;
	unsigned stale_hold_s = 120;
	unsigned settle_ms = 1000;
	std::string shell_group;
	std::string metrics_address;
	size_t metrics_max_tenants = 1000;
};

// nullopt: go on; else the exit status.
std::optional<int> parse(int argc, char** argv, Options& o)
{
	po::options_description desc(
	    "tsunagid: the Tsunagi control daemon\n\n"
	    "Usage: tsunagid [--config FILE]\n       tsunagid --check FILE\n\nOptions");
	cli::add_common_options(desc, o.config_path, o.max_config_bytes);
	desc.add_options()(
	    "check", po::value(&o.check_path),
	    "validate FILE, print what would change against the running configuration, apply "
	    "nothing")(
	    "render-frr", po::value(&o.render_path),
	    "print the FRR configuration FILE gives (labels as a fresh start allocates them)")(
	    "frr", po::bool_switch(&o.run_frr),
	    "run FRR for the node (zebra, staticd, bgpd) from RUNTIME_DIR/frr, keep its "
	    "configuration rendered from the YAML, and publish the carriers' routes")(
	    "bmp-port", po::value(&o.bmp_port)->default_value(o.bmp_port),
	    "with --frr: the loopback port bgpd mirrors the carriers' messages to")(
	    "stale-hold", po::value(&o.stale_hold_s)->default_value(o.stale_hold_s),
	    "with --frr: seconds a carrier's routes keep forwarding after its session's last "
	    "event (down, up, the feed restarting) without End-of-RIB")(
	    "settle-ms", po::value(&o.settle_ms)->default_value(o.settle_ms),
	    "with --frr: milliseconds a carrier that sends no End-of-RIB must stay quiet, after "
	    "sending its routes again, for them to count as all it has (0: wait for the stale "
	    "hold)")(
	    "shell-group", po::value(&o.shell_group),
	    "the group whose members may use tsunagi-sh (RUNTIME_DIR/shell.sock, mode 0660); "
	    "default: only this daemon's user")(
	    "metrics-address", po::value(&o.metrics_address),
	    "serve Prometheus metrics at http://HOST:PORT/metrics ([IPV6]:PORT for IPv6; none: "
	    "do not); default: the YAML's node.metrics, itself 127.0.0.1:9469 by default")(
	    "metrics-max-tenants",
	    po::value(&o.metrics_max_tenants)->default_value(o.metrics_max_tenants),
	    "tenants with series of their own in /metrics; the others are summed as "
	    "tenant=\"_other\"");
	po::variables_map vm;
	return cli::parse_options(argc, argv, "tsunagid", desc, vm);
}

// The runtime directory (created, or checked and left as it is) and this daemon's lock on
// it; nullopt, logged, when it cannot run there.
std::optional<cli::RuntimeLock> claim_runtime_dir(const config::Config& cfg, const Options& o,
                                                  std::optional<gid_t> node_gid,
                                                  std::optional<gid_t> shell_gid)
{
	// The shell's users, and the dataplane when it runs as another user of node.group,
	// reach the sockets through the runtime directory; FRR's daemons run as user frr from
	// RUNTIME_DIR/frr, so with --frr others may pass through it (not list it). A
	// directory it creates is the node group's (the dataplane writes there too), else the
	// shell's.
	std::string err;
	const mode_t mode = (node_gid ? 0770 : 0750) | (o.run_frr ? 0001 : 0);
	const auto dir =
	    cli::prepare_runtime_dir(cfg.node.runtime_dir, mode, node_gid ? node_gid : shell_gid,
	                             node_gid, o.run_frr ? S_IXOTH : S_IXGRP, err);
	if (!dir) {
		log(err);
		return std::nullopt;
	}
	if (!dir->warning.empty()) {
		log(dir->warning);
	}
	auto lock = cli::RuntimeLock::acquire(cfg.node.runtime_dir, "tsunagid", err);
	if (!lock) {
		log(err);
	}
	return lock;
}

int serve(Node& node, shell::Server& shell_server, const Options& o, int sfd)
{
	cli::ServiceNotifier notifier;
	notifier.ready("node " + node.config().node.name + ", table generation " +
	               std::to_string(node.published_generation()));
	const routes::ResyncTimers timers{uint64_t(o.stale_hold_s) * 1000, o.settle_ms};
	auto next_second = std::chrono::steady_clock::now();
	for (;;) {
		std::vector<pollfd> fds{{sfd, POLLIN, 0}, {node.neighbor_fd(), POLLIN, 0}};
		node.add_fds(fds);
		shell_server.add_fds(fds);
		poll(fds.data(), fds.size(), 200);
		if (fds[0].revents & POLLIN) {
			signalfd_siginfo si{};
			if (read(sfd, &si, sizeof(si)) == ssize_t(sizeof(si))) {
				if (si.ssi_signo == SIGHUP) {
					notifier.reloading();
					const auto r = node.reloader().reload(false);
					notifier.reloaded(
					    std::string(r.ok ? "reloaded" : "reload refused") +
					    ", table generation " +
					    std::to_string(node.published_generation()));
				} else if (si.ssi_signo == SIGUSR1) {
					node.log_counters();
				} else {
					log("stopping; the dataplane keeps forwarding with the "
					    "tables it has");
					return 0;
				}
			}
		}
		// Also when only a VRF's namespace has news: its watches are not polled.
		node.neighbors_changed();
		if (const auto now = std::chrono::steady_clock::now(); now >= next_second) {
			node.look_after();
			next_second = now + std::chrono::seconds(1);
		}
		node.serve_feed(timers);
		node.release_hold();
		if (const std::string notice = node.reloader().expire_unconfirmed();
		    !notice.empty()) {
			shell_server.broadcast(notice);
		}
		node.collect();
		notifier.watchdog();
		shell_server.service();
		if (const auto line = node.metrics().serve(); !line.empty()) {
			log(line);
		}
	}
}

}  // namespace

int run(int argc, char** argv)
{
	Options o;
	if (auto rc = parse(argc, argv, o)) {
		return *rc;
	}
	if (!o.check_path.empty()) {
		return check(o.check_path, o.max_config_bytes);
	}
	if (!o.render_path.empty()) {
		return render_frr(o.render_path, o.max_config_bytes);
	}
	std::string err;
	std::optional<metrics::ListenAddress> metrics_at;
	if (!o.metrics_address.empty()) {
		metrics_at = metrics::parse_listen_address(o.metrics_address, err);
		if (!err.empty()) {
			log(err);
			return cli::kExitConfig;
		}
	}

	// Signals are taken synchronously, so a reload never interrupts a publication.
	sigset_t set;
	sigemptyset(&set);
	for (int s : {SIGHUP, SIGTERM, SIGINT, SIGUSR1}) {
		sigaddset(&set, s);
	}
	pthread_sigmask(SIG_BLOCK, &set, nullptr);

	std::string text;
	auto cfg = cli::load_config(o.config_path, "tsunagid", &text, o.max_config_bytes);
	if (!cfg) {
		return cli::kExitConfig;
	}
	// Where /metrics is served: the command line (checked above), else the YAML.
	if (o.metrics_address.empty()) {
		metrics_at = metrics::parse_listen_address(cfg->node.metrics_address, err,
		                                           "node.metrics in " + o.config_path);
		if (!err.empty()) {
			log(err);
			return cli::kExitConfig;
		}
	}
	const std::optional<gid_t> node_gid = shm::node_group(cfg->node.group, err);
	if (!err.empty()) {
		log(err);
		return cli::kExitConfig;
	}
	std::optional<gid_t> shell_gid = node_gid;
	if (!o.shell_group.empty()) {
		const group* g = getgrnam(o.shell_group.c_str());
		if (g == nullptr) {
			log("--shell-group: no group named " + o.shell_group);
			return cli::kExitUsage;
		}
		shell_gid = g->gr_gid;
	}
	const auto lock = claim_runtime_dir(*cfg, o, node_gid, shell_gid);
	if (!lock) {
		return cli::kExitRuntime;
	}
	auto pub = shm::Publisher::open(shm::names_for(cfg->node.runtime_dir), 0600, node_gid, err);
	if (!pub) {
		log(err);
		return cli::kExitRuntime;
	}
	if (!pub->warning().empty()) {
		log(pub->warning());
	}
	std::vector<std::string> history_log;
	Node node(o.config_path, o.max_config_bytes, *cfg, std::move(*pub), history_log);
	for (const auto& l : history_log) {
		log(l);
	}
	node.adopt_published();
	const bool hold = o.run_frr && node.adopted();
	if (hold) {
		node.hold_first_publication(text, 15000);
	}
	node.watch_neighbors();
	node.neighbors_changed();  // the kernel's current table, before the first publication
	node.learn_port_macs();    // a running dataplane's device MACs, likewise
	if (!hold && !node.apply(node.config(), &text)) {
		return cli::kExitRuntime;
	}
	node.reloader().record_startup(text);
	if (o.run_frr && !node.start_frr(node.config().node.runtime_dir + "/frr", o.bmp_port)) {
		return cli::kExitRuntime;
	}
	if (metrics_at && !node.serve_metrics(*metrics_at, o.metrics_max_tenants, err)) {
		log(err);
	}
	ShellBackend backend(node);
	shell::Shell sh(backend);
	sh.audit = [](const std::string& l) { log("shell: " + l); };
	auto shell_server = shell::Server::open(shell::socket_path(node.config().node.runtime_dir),
	                                        shell_gid, sh, err);
	if (!shell_server) {
		log(err);
		return cli::kExitRuntime;
	}
	log("node " + node.config().node.name + " running; SIGHUP reloads " + o.config_path +
	    "; tsunagi-sh connects to " + shell_server->path());
	return serve(node, *shell_server, o, signalfd(-1, &set, SFD_CLOEXEC));
}

}  // namespace tsunagi::control

int main(int argc, char** argv)
{
	return tsunagi::control::run(argc, argv);
}
