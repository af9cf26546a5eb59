// tsunagi-replay: runs the dataplane's pipeline, single-threaded, over captures
// (DESIGN.md §5). Same tables, same pipeline code as the live dataplane.
#include <rte_mbuf.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "common/cli/program.hpp"
#include "common/config/loader.hpp"
#include "control/compile/compiler.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "dataplane/report/counters_json.hpp"
#include "dataplane/runtime/eal_setup.hpp"
#include "tools/replay/pcap_io.hpp"

namespace po = boost::program_options;
namespace tsunagi::replay {

namespace {

// I/O failures share the runtime-failure exit code.
constexpr int kExitIo = cli::kExitRuntime;

// Writes every emitted packet to DIR/PORT.pcap, stamped with its input's time.
class CaptureSink final : public dp::TxSink {
public:
	CaptureSink(CaptureWriter& w, const abi::TableView& t) : w_(w), t_(t) {}

	uint64_t ts_ns = 0;
	uint64_t written = 0;
	std::string error;

	void send(uint16_t port, rte_mbuf** pkts, uint16_t n) override
	{
		write(std::string(t_.name(t_.ports[port].name)), pkts, n);
		written += n;
	}

	// What the live dataplane hands to the port's kernel interface.
	void punt(uint16_t port, rte_mbuf** pkts, uint16_t n) override
	{
		write(std::string(t_.name(t_.ports[port].name)) + ".punt", pkts, n);
	}

private:
	void write(const std::string& file, rte_mbuf** pkts, uint16_t n)
	{
		for (uint16_t i = 0; i < n; ++i) {
			const uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
			buf_.resize(len);
			const auto* data = static_cast<const uint8_t*>(
			    rte_pktmbuf_read(pkts[i], 0, len, buf_.data()));
			if (error.empty() && !w_.write(file, ts_ns, data, len, error)) {
				error = "cannot write capture: " + error;
			}
			rte_pktmbuf_free(pkts[i]);
		}
	}

	CaptureWriter& w_;
	const abi::TableView& t_;
	std::vector<uint8_t> buf_;
};

// Reads every --in PORT=FILE capture into `pkts`; 0 or the exit code.
int read_inputs(const std::vector<std::string>& inputs, const abi::TableView& tables,
                const std::string& config_path, std::vector<InputPacket>& pkts)
{
	for (size_t i = 0; i < inputs.size(); ++i) {
		const auto eq = inputs[i].find('=');
		if (eq == std::string::npos) {
			std::cerr << "tsunagi-replay: --in " << inputs[i]
			          << ": expected PORT=FILE\n";
			return cli::kExitUsage;
		}
		const std::string port = inputs[i].substr(0, eq);
		const uint16_t idx = tables.port_by_name(port);
		if (idx == abi::kNoPort) {
			std::cerr << "tsunagi-replay: --in " << inputs[i] << ": no port named \""
			          << port << "\" in " << config_path << "\n";
			return cli::kExitUsage;
		}
		std::string err;
		if (!read_capture(inputs[i].substr(eq + 1), uint32_t(i), idx, pkts, err)) {
			std::cerr << "tsunagi-replay: " << err << "\n";
			return kExitIo;
		}
	}
	return 0;
}

// counters.json, and the one-line summary on stdout.
void write_summary(const std::string& out_dir, const abi::TableView& tables,
                   const dp::WorkerCounters& counters, const dp::MacTable& macs, size_t packets_in,
                   uint64_t packets_out, uint64_t oversize)
{
	const dp::WorkerCounters* workers[] = {&counters};
	auto summary = dp::counters_json(tables, workers, 1, macs);
	summary["packets_in"] = packets_in;
	summary["packets_out"] = packets_out;
	std::ofstream(out_dir + "/counters.json") << summary.dump(2) << "\n";
	std::cout << "tsunagi-replay: " << packets_in << " packets in, " << packets_out << " out, "
	          << summary["drops_total"].get<uint64_t>() << " dropped";
	if (oversize != 0) {
		std::cout << " (" << oversize << " larger than a jumbo frame)";
	}
	std::cout << "; results in " << out_dir << "\n";
}

}  // namespace

int run(int argc, char** argv)
{
	std::string config_path, out_dir;
	std::vector<std::string> inputs;
	size_t mac_capacity = 0;
	po::options_description desc(
	    "tsunagi-replay: run the dataplane pipeline over captures\n\n"
	    "Usage: tsunagi-replay --config FILE --in PORT=IN.pcap [--in PORT=IN.pcap ...] --out "
	    "DIR\n\n"
	    "Options");
	desc.add_options()("help,h", "show this help")(
	    "config", po::value(&config_path)->required(), "Tsunagi YAML configuration")(
	    "in", po::value(&inputs)->composing(),
	    "PORT=FILE: packets arriving on PORT (pcap or pcapng); repeatable")(
	    "out", po::value(&out_dir)->required(),
	    "directory for PORT.pcap per emitting port and counters.json")(
	    "mac-capacity", po::value(&mac_capacity),
	    "MAC table slots (default: enough for every tenant's mac_limit, at least 65536)");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagi-replay", desc, vm)) {
		return *rc;
	}

	const auto loaded = cli::load_config(config_path, "tsunagi-replay");
	if (!loaded) {
		return cli::kExitConfig;
	}
	const config::Config& cfg = *loaded;
	const compile::Image image = compile::compile(cfg, 1);
	if (auto why = abi::TableView::check(image.data(), image.size()); !why.empty()) {
		std::cerr << "tsunagi-replay: " << why << "\n";
		return cli::kExitConfig;
	}
	const abi::TableView tables(image.data());

	std::vector<InputPacket> pkts;
	if (const int rc = read_inputs(inputs, tables, config_path, pkts); rc != 0) {
		return rc;
	}
	order_packets(pkts);

	std::error_code ec;
	std::filesystem::create_directories(out_dir, ec);
	if (ec) {
		std::cerr << "tsunagi-replay: cannot create " << out_dir << ": " << ec.message()
		          << "\n";
		return kExitIo;
	}

	dp::EalOptions eal;
	eal.memory_mb = 256;
	eal.file_prefix = "tsunagi-replay-" + std::to_string(getpid());
	if (auto err = dp::eal_init(eal); !err.empty()) {
		std::cerr << "tsunagi-replay: " << err << "\n";
		return kExitIo;
	}
	rte_mempool* pool = dp::make_packet_pool("replay", 4095, true);
	if (pool == nullptr) {
		std::cerr << "tsunagi-replay: cannot create the packet pool\n";
		return kExitIo;
	}

	if (mac_capacity == 0) {
		size_t limits = 0;
		for (const auto& t : cfg.tenants) {
			limits += t.mac_limit;
		}
		mac_capacity = std::max<size_t>(65536, 2 * limits);
	}
	dp::MacTable macs(mac_capacity);
	auto counters = std::make_unique<dp::WorkerCounters>();
	dp::Pipeline pipeline(macs, *counters, pool);
	pipeline.use_tables(tables);

	CaptureWriter writer(out_dir);
	CaptureSink sink(writer, tables);
	dp::TxBuffers tx(sink, *counters);
	uint32_t last_sweep = 0;
	uint64_t oversize = 0;
	for (const auto& p : pkts) {
		const auto now = uint32_t(p.ts_ns / 1'000'000'000ull);
		if (now != last_sweep) {
			// Time moved on: age the whole table, as the live workers do bit by bit.
			pipeline.age(now, macs.capacity());
			last_sweep = now;
		}
		rte_mbuf* m = rte_pktmbuf_alloc(pool);
		if (m == nullptr || p.bytes.size() > rte_pktmbuf_tailroom(m) ||
		    rte_pktmbuf_append(m, uint16_t(p.bytes.size())) == nullptr) {
			rte_pktmbuf_free(m);
			++oversize;
			counters->ports[p.port].rx_packets++;
			counters->drops[size_t(dp::Drop::malformed)]++;
			continue;
		}
		std::memcpy(rte_pktmbuf_mtod(m, void*), p.bytes.data(), p.bytes.size());
		sink.ts_ns = p.ts_ns;
		pipeline.run(p.port, &m, 1, now, tx);
		tx.flush_all();
		if (!sink.error.empty()) {
			std::cerr << "tsunagi-replay: " << sink.error << "\n";
			return kExitIo;
		}
	}

	write_summary(out_dir, tables, *counters, macs, pkts.size(), sink.written, oversize);
	dp::eal_cleanup();
	return 0;
}

}  // namespace tsunagi::replay

int main(int argc, char** argv)
{
	return tsunagi::replay::run(argc, argv);
}
