#include "storage/sealed_column.h"

#include <stdexcept>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace consular::storage {

std::string OpenSealed(const FieldCipher& cipher, const pqxx::field& field,
                       const AssociatedData& ad) {
  absl::StatusOr<std::string> plaintext = cipher.Decrypt(pqxx::binarystring(field).str(), ad);
  if (!plaintext.ok()) {
    // Names the place only: the row key is an id, never content.
    throw std::runtime_error(absl::StrCat(plaintext.status().message(), " (row ", ad.row_key, ")"));
  }
  return *std::move(plaintext);
}

}  // namespace consular::storage
