// services/stats/dossier_render: the country dossier's HTML encoder over any CountryDossier
// (binary wire form). The figures and talks come from the database, but the talks' texts
// (summaries, outcomes, follow-ups) were typed by users: the encoder must keep them data. Every
// '<' of the document opens one of the renderer's own elements, every '&' an entity, and every
// talk summary appears escaped.
#include <cctype>
#include <cstdio>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "services/common/validation.h"
#include "services/stats/dossier_render.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/proto_input.h"

namespace {

namespace v1 = consular::v1;

std::string Escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void CheckHtml(const v1::CountryDossier& dossier) {
  static const std::set<std::string> kElements = {
      "a",    "body",    "dd",    "defs",  "div",   "dl",      "dt",   "figcaption", "figure",
      "g",    "h1",      "h2",    "h3",    "h4",    "head",    "header", "html",     "li",
      "line",
      "meta", "ol",      "p",     "pattern", "rect", "section", "span", "style",     "svg",
      "table", "tbody",  "td",    "text",  "tfoot", "th",      "thead", "time",      "title",
      "tr"};
  const std::string html = consular::stats::RenderDossierHtml(dossier);
  FUZZ_CHECK(absl::StartsWith(html, "<!doctype html>"));
  FUZZ_CHECK(consular::IsValidUtf8(html));
  for (size_t i = html.find('<', 1); i != std::string::npos; i = html.find('<', i + 1)) {
    size_t start = i + 1;
    if (start < html.size() && html[start] == '/') ++start;
    size_t end = start;
    while (end < html.size() && std::isalnum(static_cast<unsigned char>(html[end]))) ++end;
    const std::string name = html.substr(start, end - start);
    if (kElements.count(name) == 0) {
      std::fprintf(stderr, "unexpected markup at %zu: %s\n", i, html.substr(i, 40).c_str());
    }
    FUZZ_CHECK(kElements.count(name) == 1);
  }
  for (size_t i = html.find('&'); i != std::string::npos; i = html.find('&', i + 1)) {
    const size_t semicolon = html.find(';', i);
    FUZZ_CHECK(semicolon != std::string::npos && semicolon - i <= 10);
    const std::string entity = html.substr(i, semicolon - i + 1);
    const bool numeric = entity.size() > 3 && entity[1] == '#';
    FUZZ_CHECK(numeric || entity == "&amp;" || entity == "&lt;" || entity == "&gt;" ||
               entity == "&quot;");
  }
  for (const v1::Talk& t : dossier.talks()) {
    FUZZ_CHECK(absl::StrContains(html, Escaped(t.summary())));
  }
}

}  // namespace

CONSULAR_FUZZ_TARGET(dossier_html) {
  v1::CountryDossier dossier;
  if (!consular::fuzz::ParseProto(std::string(reinterpret_cast<const char*>(data), size),
                                  &dossier)) {
    return;
  }
  CheckHtml(dossier);
}
