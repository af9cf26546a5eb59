// The YAML loader and validator (DESIGN.md §5).
//
// Two passes. The first walks the document along the schema: every mapping is
// iterated pair by pair (yaml-cpp keeps duplicate keys, so they are found here),
// unknown keys are reported, and every scalar is parsed strictly into the model.
// Fields that parsed are recorded (with their marks) in Fields; the second pass
// only cross-checks fields that parsed, so one bad value yields one message and
// not a cascade. Nothing stops at the first error.
//
// Pass 1 is load_SECTION.cpp, one file per top-level key, on the readers and the context of
// load_context.hpp; pass 2 is check.hpp (check_*.cpp).
#include "common/config/loader.hpp"

#include "common/config/load_context.hpp"
#include "common/config/yaml_syntax.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <sys/stat.h>

namespace tsunagi::config {

std::string Error::to_string() const
{
	if (line <= 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

using namespace load;

LoadResult load_node(Ctx& ctx, const YAML::Node& root)
{
	Parsed p;
	p.cfg.file = ctx.file();
	const Val top{root, or_mark(mark_of(root), Mark{1, 1}), ""};
	if (root.IsNull()) {
		ctx.error(Mark{1, 1}, "",
		          "the file is empty; expected a mapping with node and ports");
		return LoadResult{std::nullopt, ctx.take()};
	}
	auto m = read_map(ctx, top, {"node", "ports", "neighbors", "tenants", "peers"});
	if (m) {
		if (auto* e = require(ctx, *m, "node"))
			parse_node(ctx, e->val, p);
		if (auto* e = require(ctx, *m, "ports"))
			parse_ports(ctx, e->val, p);
		if (auto* e = m->get("neighbors"))
			parse_neighbors(ctx, e->val, p);
		if (auto* e = m->get("tenants"))
			parse_tenants(ctx, e->val, p);
		if (auto* e = m->get("peers"))
			parse_peers(ctx, e->val, p);
		check(ctx, p);
	}
	LoadResult r;
	r.errors = ctx.take();
	if (r.errors.empty())
		r.config = std::move(p.cfg);
	return r;
}

}  // namespace

namespace {

// `bytes` 0: more than the limit, by how much unknown (the file grew while read).
std::string size_limit_text(size_t bytes, size_t max_bytes)
{
	return "the configuration is " +
	       (bytes != 0 ? std::to_string(bytes) + " bytes, over" : std::string("over")) +
	       " the limit of " + std::to_string(max_bytes) + " bytes (--max-config-size)";
}

}  // namespace

bool read_config_file(const std::string& path, size_t max_bytes, std::string& text, Error& error)
{
	error = Error{path, 0, 0, ""};
	struct stat st {};
	if (::stat(path.c_str(), &st) != 0) {
		error.message = std::string("cannot open: ") + std::strerror(errno);
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		error.message = "is a directory, not a YAML file";
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		error.message = "is not a regular file";
		return false;
	}
	if (uint64_t(st.st_size) > max_bytes) {
		error.message = size_limit_text(size_t(st.st_size), max_bytes);
		return false;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		error.message = std::string("cannot open: ") + std::strerror(errno);
		return false;
	}
	// The file may have grown since stat: never hold more than the limit.
	text.clear();
	char buf[65536];
	while (in.read(buf, sizeof buf) || in.gcount() > 0) {
		text.append(buf, size_t(in.gcount()));
		if (text.size() > max_bytes) {
			error.message = size_limit_text(0, max_bytes);
			return false;
		}
	}
	if (in.bad()) {
		error.message = "cannot read the file";
		return false;
	}
	return true;
}

LoadResult load_string(const std::string& yaml_text, const std::string& file_name, size_t max_bytes)
{
	Ctx ctx(file_name);
	if (yaml_text.size() > max_bytes) {
		ctx.error(Mark{}, "", size_limit_text(yaml_text.size(), max_bytes));
		return LoadResult{std::nullopt, ctx.take()};
	}
	try {
		YAML::Node root;
		try {
			root = YAML::Load(yaml_text);
		} catch (const YAML::Exception& e) {
			const SyntaxError se =
			    explain_syntax_error(yaml_text, e.mark.line, e.mark.column, e.msg);
			ctx.error(Mark{se.line, se.column}, se.path, se.message);
			return LoadResult{std::nullopt, ctx.take()};
		}
		return load_node(ctx, root);
	} catch (const std::exception& e) {
		ctx.error(Mark{}, "", std::string("internal error while loading: ") + e.what());
	} catch (...) {
		ctx.error(Mark{}, "", "internal error while loading");
	}
	return LoadResult{std::nullopt, ctx.take()};
}

LoadResult load_file(const std::string& path, size_t max_bytes)
{
	try {
		std::string text;
		Error error;
		if (!read_config_file(path, max_bytes, text, error))
			return LoadResult{std::nullopt, {std::move(error)}};
		return load_string(text, path, max_bytes);
	} catch (...) {
		return LoadResult{std::nullopt, {Error{path, 0, 0, "cannot read the file"}}};
	}
}

}  // namespace tsunagi::config
