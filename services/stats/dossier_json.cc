// The country dossier as proto3 JSON (dossier_render.h).
#include <string>

#include "consular/v1/statistics.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/stats/dossier_render.h"

namespace consular::stats {

// protobuf's JSON printer: the proto3 JSON mapping, escaping done by the library.
std::string RenderDossierJson(const consular::v1::CountryDossier& dossier) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  options.always_print_enums_as_ints = false;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(dossier, &out, options).ok()) return "";
  return out;
}

}  // namespace consular::stats
