// libFuzzer target: the shell, whose command lines come from anyone in the shell's group.
// Whatever the bytes: every line parses to a command or an error, `?` and Tab answer, in
// exec and configure mode, and nothing crashes, hangs or throws out of the Shell. The same
// bytes also go through the hex frame parser and the frame describer `trace` uses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/pkt/describe.hpp"
#include "control/shell/shell.hpp"
#include "control/shell/trace_view.hpp"
#include "tests/unit/fake_backend.hpp"

using namespace tsunagi;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	static test::FakeBackend backend;
	static shell::Shell sh(backend);
	const std::string text(reinterpret_cast<const char*>(data), size);
	// Lines as a session types them, the mode carried from one to the next.
	shell::Session session;
	size_t start = 0;
	while (start <= text.size()) {
		size_t end = text.find('\n', start);
		if (end == std::string::npos) {
			end = text.size();
		}
		const std::string line = text.substr(start, end - start);
		sh.help(session, line);
		sh.complete(session, line);
		const shell::Reply r = sh.exec(session, line);
		if (r.close) {
			session = shell::Session{};
		}
		start = end + 1;
	}
	std::string frame, error;
	shell::parse_hex_frame(text, frame, error);
	pkt::describe_frame(data, size);
	return 0;
}
