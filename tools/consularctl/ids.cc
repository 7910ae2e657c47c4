#include "tools/consularctl/ids.h"

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_format.h"

namespace consular::ctl {

std::string NewRequestId() {
  std::random_device random;  // the OS's entropy source on Linux
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    const uint32_t word = random();
    for (size_t j = 0; j < 4; ++j)
      bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] =
      static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex.push_back('-');
    absl::StrAppendFormat(&hex, "%02x", bytes[i]);
  }
  return hex;
}

}  // namespace consular::ctl
