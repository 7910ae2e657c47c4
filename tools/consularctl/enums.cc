#include "tools/consularctl/enums.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/contacts.pb.h"
#include "consular/v1/statistics.pb.h"

namespace consular::ctl {
namespace {

constexpr absl::string_view kUnspecified = "UNSPECIFIED";

// Short names that are long to type. Keyed by the enum's full name and the
// value's name without prefix; the first alias is the one shown in help and
// error messages.
struct Alias {
  absl::string_view enum_name;
  absl::string_view short_name;
  absl::string_view alias;  // upper case, '_' separated, as after Normalize()
};

constexpr Alias kAliases[] = {
    {"consular.v1.CaseType", "FOREIGN_DIVORCE_RECOGNITION", "DIVORCE"},
    {"consular.v1.CaseType", "FOREIGN_DIVORCE_RECOGNITION",
     "DIVORCE_RECOGNITION"},
    {"consular.v1.Role", "CONSULAR_OFFICER", "OFFICER"},
    {"consular.v1.Role", "POST_MANAGER", "MANAGER"},
    {"consular.v1.Role", "LKHA_CASEWORKER", "LKHA"},
    {"consular.v1.Role", "POLICY_STAFF", "POLICY"},
    {"consular.v1.Role", "ADMINISTRATOR", "ADMIN"},
};

// Upper case, '-' and ' ' as '_', surrounding white space removed.
std::string Normalize(absl::string_view text) {
  std::string out(absl::StripAsciiWhitespace(text));
  absl::AsciiStrToUpper(&out);
  std::replace(out.begin(), out.end(), '-', '_');
  std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

// "FORCED_MARRIAGE" -> "forced-marriage".
std::string Display(absl::string_view short_name) {
  std::string out = absl::AsciiStrToLower(short_name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

// Longest common prefix of all value names that ends at an '_'.
std::string CommonUnderscorePrefix(
    const google::protobuf::EnumDescriptor* descriptor) {
  if (descriptor->value_count() == 0) return "";
  std::string prefix = descriptor->value(0)->name();
  for (int i = 1; i < descriptor->value_count(); ++i) {
    const std::string& name = descriptor->value(i)->name();
    size_t n = 0;
    while (n < prefix.size() && n < name.size() && prefix[n] == name[n]) ++n;
    prefix.resize(n);
  }
  size_t underscore = prefix.rfind('_');
  if (underscore == std::string::npos) return "";
  prefix.resize(underscore + 1);
  return prefix;
}

}  // namespace

std::string EnumPrefix(const google::protobuf::EnumDescriptor* descriptor) {
  const google::protobuf::EnumValueDescriptor* zero =
      descriptor->FindValueByNumber(0);
  if (zero != nullptr && absl::EndsWith(zero->name(), kUnspecified)) {
    return zero->name().substr(0, zero->name().size() - kUnspecified.size());
  }
  return CommonUnderscorePrefix(descriptor);
}

std::string EnumShortName(const google::protobuf::EnumDescriptor* descriptor,
                          int number) {
  const google::protobuf::EnumValueDescriptor* value =
      descriptor->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  const std::string prefix = EnumPrefix(descriptor);
  absl::string_view name = value->name();
  if (!prefix.empty() && absl::StartsWith(name, prefix) &&
      name.size() > prefix.size()) {
    name.remove_prefix(prefix.size());
  }
  return std::string(name);
}

std::string EnumAlias(const google::protobuf::EnumDescriptor* descriptor,
                      int number) {
  const std::string short_name = EnumShortName(descriptor, number);
  for (const Alias& alias : kAliases) {
    if (alias.enum_name == descriptor->full_name() &&
        alias.short_name == short_name) {
      return Display(alias.alias);
    }
  }
  return "";
}

std::vector<std::string> EnumValidNames(
    const google::protobuf::EnumDescriptor* descriptor) {
  std::vector<const google::protobuf::EnumValueDescriptor*> values;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    if (descriptor->value(i)->number() != 0)
      values.push_back(descriptor->value(i));
  }
  std::sort(values.begin(), values.end(), [](const auto* a, const auto* b) {
    return a->number() < b->number();
  });
  std::vector<std::string> names;
  for (const auto* value : values) {
    std::string name = Display(EnumShortName(descriptor, value->number()));
    const std::string alias = EnumAlias(descriptor, value->number());
    if (!alias.empty() && alias != name)
      absl::StrAppend(&name, " (", alias, ")");
    names.push_back(std::move(name));
  }
  return names;
}

absl::StatusOr<int> ParseEnum(
    const google::protobuf::EnumDescriptor* descriptor,
    absl::string_view text) {
  const std::string wanted = Normalize(text);
  const std::string prefix = EnumPrefix(descriptor);
  if (!wanted.empty()) {
    const google::protobuf::EnumValueDescriptor* value =
        descriptor->FindValueByName(wanted);
    if (value == nullptr) value = descriptor->FindValueByName(prefix + wanted);
    if (value == nullptr) {
      for (const Alias& alias : kAliases) {
        if (alias.enum_name == descriptor->full_name() &&
            alias.alias == wanted) {
          value = descriptor->FindValueByName(
              absl::StrCat(prefix, alias.short_name));
          break;
        }
      }
    }
    if (value != nullptr && value->number() != 0) return value->number();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid value \"", text,
      "\"; valid values: ", absl::StrJoin(EnumValidNames(descriptor), ", ")));
}

std::string EnumValidationError(
    const google::protobuf::EnumDescriptor* descriptor,
    absl::string_view text) {
  absl::StatusOr<int> parsed = ParseEnum(descriptor, text);
  if (parsed.ok()) return "";
  return std::string(parsed.status().message());
}

namespace {

// "RETURNED_TO_NL" -> "returned to NL": lower-case words, except abbreviations, which stay in
// capitals, and the one proper adjective, which keeps its capital ("Dutch only").
std::string SnakeWords(absl::string_view upper_snake) {
  static constexpr absl::string_view kKeptAsWritten[] = {"NL",  "LKHA", "EU",   "FGM", "NGO",
                                                         "ID",  "JSON", "HTML", "CSV"};
  std::vector<std::string> words;
  for (absl::string_view word : absl::StrSplit(upper_snake, '_')) {
    if (std::find(std::begin(kKeptAsWritten), std::end(kKeptAsWritten), word) !=
        std::end(kKeptAsWritten)) {
      words.emplace_back(word);
    } else if (word == "DUTCH") {
      words.emplace_back("Dutch");
    } else {
      words.push_back(absl::AsciiStrToLower(word));
    }
  }
  return absl::StrJoin(words, " ");
}

}  // namespace

std::string EnumWords(const google::protobuf::EnumDescriptor* descriptor, int number) {
  return SnakeWords(EnumShortName(descriptor, number));
}

std::string CategoryWords(const std::string& category, int dimension) {
  if (absl::EndsWith(category, kUnspecified)) return "not recorded";
  // The generated pool builds a file on its first use and finds an enum value
  // by name only in files already built: build them all once.
  static const bool built = [] {
    return consular::v1::Role_descriptor() != nullptr &&            // common.proto
           consular::v1::CaseAccess_descriptor() != nullptr &&      // cases.proto
           consular::v1::ContactChannel_descriptor() != nullptr &&  // contacts.proto
           consular::v1::Measure_descriptor() != nullptr;           // statistics.proto
  }();
  (void)built;
  const google::protobuf::EnumValueDescriptor* value =
      google::protobuf::DescriptorPool::generated_pool()->FindEnumValueByName(
          absl::StrCat("consular.v1.", category));
  if (value != nullptr) return EnumWords(value->type(), value->number());
  // Categories of their own dimension: AGE_GROUP_MINOR of DIMENSION_AGE_GROUP.
  const std::string prefix =
      absl::StrCat(EnumShortName(consular::v1::Dimension_descriptor(), dimension), "_");
  if (absl::StartsWith(category, prefix) && category.size() > prefix.size()) {
    return SnakeWords(absl::string_view(category).substr(prefix.size()));
  }
  if (category == "YES" || category == "NO") return absl::AsciiStrToLower(category);
  return category;
}

}  // namespace consular::ctl
