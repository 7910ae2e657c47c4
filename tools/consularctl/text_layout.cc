#include "tools/consularctl/text_layout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace consular::ctl {
namespace {

constexpr char kColumnGap[] = "  ";

std::string Cell(absl::string_view text) {
  if (text.empty()) return kEmptyCell;
  return OneLine(text);
}

}  // namespace

size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string OneLine(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

void StripTrailingBlanks(std::string* line) {
  while (!line->empty() && line->back() == ' ') line->pop_back();
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(header);
  for (const auto& row : rows) {
    std::vector<std::string> clean;
    for (const std::string& cell : row) clean.push_back(Cell(cell));
    cells.push_back(std::move(clean));
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) absl::StrAppend(&line, kColumnGap);
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size() && i < widths.size()) {
        line.append(widths[i] - DisplayWidth(row[i]), ' ');
      }
    }
    StripTrailingBlanks(&line);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string TableWithTextUnderRows(const std::vector<std::string>& header,
                                   const std::vector<std::vector<std::string>>& rows,
                                   const std::vector<std::string>& texts) {
  // Render the header and rows as one table so the columns line up, then put
  // each text under its row.
  const std::string table = FormatTable(header, rows);
  std::vector<absl::string_view> lines = absl::StrSplit(table, '\n');
  std::string out = absl::StrCat(lines[0], "\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    absl::StrAppend(&out, lines[i + 1], "\n");
    if (i >= texts.size() || texts[i].empty()) continue;
    for (absl::string_view text_line : absl::StrSplit(texts[i], '\n')) {
      std::string indented = absl::StrCat("    ", OneLine(text_line));
      StripTrailingBlanks(&indented);
      absl::StrAppend(&out, indented, "\n");
    }
  }
  return out;
}

std::string KeyValueBlock::Render() const {
  size_t width = 0;
  for (const auto& [key, value] : rows_) width = std::max(width, DisplayWidth(key) + 1);
  std::string out;
  for (const auto& [key, value] : rows_) {
    const std::string label = absl::StrCat(key, ":");
    const std::string indent(width + 1, ' ');
    bool first = true;
    for (absl::string_view line : absl::StrSplit(value, '\n')) {
      std::string text =
          first ? absl::StrCat(label, std::string(width + 1 - DisplayWidth(label), ' ')) : indent;
      absl::StrAppend(&text, line);
      StripTrailingBlanks(&text);
      absl::StrAppend(&out, text, "\n");
      first = false;
    }
  }
  return out;
}

}  // namespace consular::ctl
