#pragma once

// Plain-text layout of consularctl's output: aligned tables and key/value blocks. Widths count
// UTF-8 characters, not bytes.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace consular::ctl {

// Left-aligned columns separated by two spaces, a header row first, no trailing
// blanks. Empty cells show as "-"; line breaks and tabs inside a cell become
// spaces. Widths count UTF-8 characters, not bytes.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// FormatTable, with texts[i] (one line per line, indented) under row i.
std::string TableWithTextUnderRows(const std::vector<std::string>& header,
                                   const std::vector<std::vector<std::string>>& rows,
                                   const std::vector<std::string>& texts);

// Number of UTF-8 characters (bytes that do not continue a multi-byte
// sequence).
size_t DisplayWidth(absl::string_view text);

// One line: control characters (line breaks, tabs) become spaces.
std::string OneLine(absl::string_view text);

// Removes the blanks at the end of *line.
void StripTrailingBlanks(std::string* line);

// What an empty cell or value shows.
inline constexpr char kEmptyCell[] = "-";

// Rows of a key/value block, printed with the values aligned.
class KeyValueBlock {
 public:
  // Always shown, "-" when empty.
  void Add(absl::string_view key, absl::string_view value) {
    rows_.emplace_back(std::string(key), std::string(value.empty() ? kEmptyCell : value));
  }
  // Shown only when not empty.
  void AddIfSet(absl::string_view key, absl::string_view value) {
    if (!value.empty()) rows_.emplace_back(std::string(key), std::string(value));
  }

  // The rows as "Key:" and the value, values aligned; a multi-line value continues indented.
  std::string Render() const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

}  // namespace consular::ctl
