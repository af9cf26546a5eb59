// The dataplane's command socket, RUNTIME_DIR/dataplane.sock: what tsunagid asks of the
// running dataplane that shared memory cannot carry (docs/shell.md). The node's MAC table
// lives in the dataplane's own memory, so `show mac-table` asks for a copy and `clear
// mac-table` asks the dataplane to clear. SOCK_SEQPACKET: one request, one reply, each one
// message.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "common/abi/mac_entries.hpp"

namespace tsunagi::shm {

inline constexpr const char* kCommandSocketName = "dataplane.sock";
inline constexpr uint32_t kCommandMagic = 0x54534331;  // "TSC1"; bump on any change below

inline std::string command_socket_path(const std::string& runtime_dir)
{
	return runtime_dir + "/" + kCommandSocketName;
}

enum class Command : uint32_t {
	// The node's MAC entries of `tenant` (or all), which every worker shares: the reply
	// carries a memfd holding `count` MacRecords.
	dump_macs = 1,
	// Removes the dynamic entries of `tenant` (or all) from the node's table; the reply
	// comes once the whole table was gone through, with `count` removed.
	clear_macs = 2,
	// Runs a frame through a private copy of the pipeline (the tables in use, the workers'
	// entries for the frame's MACs and their neighbours) and sends nothing: the request is
	// followed by a TraceRequest and the frame; the reply passes a memfd of `count` bytes
	// of JSON (docs/shell.md, `trace`), or of the reason it could not (status ENOENT).
	trace = 3,
};

inline constexpr uint32_t kMaxTraceFrame = 16384;

struct TraceRequest {
	uint16_t port = 0;  // by its position in the YAML
	uint16_t pad = 0;
	uint32_t len = 0;
};

struct CommandRequest {
	uint32_t magic = kCommandMagic;
	Command command = Command::dump_macs;
	uint32_t tenant = abi::kAllTenants;
	uint32_t pad = 0;
};

struct CommandReply {
	uint32_t magic = kCommandMagic;
	int32_t status = 0;  // 0, or an errno value
	uint64_t count = 0;
	uint32_t now_s = 0;  // the workers' clock (CLOCK_MONOTONIC seconds) for entries' ages
	uint32_t workers = 0;
};

// One MAC entry as the node's table holds it (dp::MacTable::Entry); `worker` is 0.
struct MacRecord {
	uint64_t key;  // tenant << 48 | MAC
	uint32_t member;
	uint32_t seen;  // abi::kStaticMac for a static entry, abi::kRemoteMac for a remote one
	uint32_t worker;
	uint32_t pad;
};

static_assert(std::is_trivially_copyable_v<CommandRequest>);
static_assert(std::is_trivially_copyable_v<CommandReply>);
static_assert(sizeof(MacRecord) == 24);

}  // namespace tsunagi::shm
