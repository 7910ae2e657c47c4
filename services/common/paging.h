#pragma once

#include <google/protobuf/repeated_field.h>

#include <string>
#include <utility>
#include <vector>

// Keyset paging, the one way every listing cuts its pages (the cursors are page_token.h's). A
// listing asks storage for FetchLimit(page_size) rows, one more than a page holds, to learn
// whether a next page follows; TakePage or FillPage then keep the page.
namespace consular {

// How many rows to fetch for a page of `page_size`.
inline int FetchLimit(int page_size) { return page_size + 1; }

// Cuts `rows`, fetched with FetchLimit(page_size), to the page; true when a next page follows.
template <typename Row>
bool TakePage(std::vector<Row>& rows, int page_size) {
  const bool more = rows.size() > static_cast<size_t>(page_size);
  if (more) rows.resize(page_size);
  return more;
}

// Moves the page of `rows` (fetched with FetchLimit(page_size)) into `page`, and sets
// `*next_page_token` to `token_after(last row of the page)` when a next page follows, else
// clears it.
template <typename Row, typename TokenAfter>
void FillPage(std::vector<Row> rows, int page_size, google::protobuf::RepeatedPtrField<Row>* page,
              std::string* next_page_token, const TokenAfter& token_after) {
  next_page_token->clear();
  if (TakePage(rows, page_size) && !rows.empty()) *next_page_token = token_after(rows.back());
  for (Row& row : rows) *page->Add() = std::move(row);
}

}  // namespace consular
