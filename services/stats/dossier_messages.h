#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/strings/substitute.h"

namespace consular::stats {

// The message catalogue of the country dossier page: every text a reader sees (titles, labels,
// notes, category names, month names, units), keyed by a message id such as "note.heading" or
// "category.AGE_GROUP_MINOR". A second language is a second catalogue, not code.
//
// Texts are plain text (the renderer escapes them). A text may hold placeholders $0 to $9 (and $$
// for a dollar sign), filled by the renderer; their meaning is given next to each English text
// in dossier_messages.cc. Ids with an enum name (category.*, measure.*, dimension.*, talk_level.*,
// talk_topic.*) may be missing: the renderer then falls back to a generic text.
class DossierMessages {
 public:
  // `language` is the BCP 47 tag of the texts (<html lang>); `texts` maps message ids to texts.
  DossierMessages(std::string language, std::vector<std::pair<std::string, std::string>> texts);

  // The English catalogue, the default of the renderer. Lives for the whole program.
  static const DossierMessages& English();

  // The Dutch catalogue (dossier_messages_nl.cc): the same ids and placeholders. Lives for the
  // whole program.
  static const DossierMessages& Dutch();

  // The catalogue of `language`: Dutch for "nl", English for any other.
  static const DossierMessages& ForLanguage(absl::string_view language);

  // Returns the language tag, e.g. "en".
  const std::string& language() const { return language_; }

  // Returns whether the catalogue has a text for `id`.
  bool Has(absl::string_view id) const;

  // Returns the text of `id`, or `id` itself when the catalogue has none, so that a gap shows on
  // the page instead of passing unnoticed.
  absl::string_view Text(absl::string_view id) const;

  // Returns the text of `id` with its placeholders $0, $1, ... replaced by `args` (numbers or
  // strings, inserted as they are). Every placeholder of the text must have its argument.
  template <typename... Args>
  std::string Format(absl::string_view id, const Args&... args) const {
    if constexpr (sizeof...(Args) == 0) {
      return std::string(Text(id));
    } else {
      return absl::Substitute(Text(id), args...);
    }
  }

  // Returns every message id, sorted.
  std::vector<std::string> Ids() const;

 private:
  std::string language_;
  absl::flat_hash_map<std::string, std::string> texts_;
};

}  // namespace consular::stats
