// Columns padded to their widest cell, the way vtysh's show commands print tables.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace tsunagi::shell {

class TextTable {
public:
	explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

	void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

	std::string render() const
	{
		std::vector<size_t> width;
		for (const auto& r : rows_) {
			width.resize(std::max(width.size(), r.size()), 0);
			for (size_t i = 0; i < r.size(); ++i) {
				width[i] = std::max(width[i], r[i].size());
			}
		}
		std::string out;
		for (const auto& r : rows_) {
			std::string line;
			for (size_t i = 0; i < r.size(); ++i) {
				line += r[i];
				if (i + 1 < r.size()) {
					line.append(width[i] - r[i].size() + 2, ' ');
				}
			}
			out += line + "\n";
		}
		return out;
	}

private:
	std::vector<std::vector<std::string>> rows_;
};

}  // namespace tsunagi::shell
