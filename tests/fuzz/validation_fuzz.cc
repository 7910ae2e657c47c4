// services/common/validation: the field checks every service applies to client text and dates.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/validation.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

// An independent strict UTF-8 decoder (RFC 3629): the number of code points, or -1 if malformed.
long CodePointsOrInvalid(const std::string& s) {
  long count = 0;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t length = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      length = 1;
      cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      cp = c & 0x07;
    } else {
      return -1;
    }
    if (i + length > s.size()) return -1;
    for (size_t k = 1; k < length; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((length == 3 && cp < 0x800) || (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return -1;
    }
    i += length;
    ++count;
  }
  return count;
}

}  // namespace

CONSULAR_FUZZ_TARGET(validation) {
  consular::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.Byte();
  const uint8_t limit = in.Byte();
  const bool flag = in.Byte() & 1;  // CheckText's `required`, CheckDate's `allow_future`
  if (mode % 3 == 0) {
    // Text: well-formed UTF-8, within a length in code points, no control characters.
    const std::string text = in.Rest();
    const long expected = CodePointsOrInvalid(text);
    FUZZ_CHECK(consular::IsValidUtf8(text) == (expected >= 0));
    if (expected >= 0) {
      FUZZ_CHECK(consular::CountCodePoints(text) == static_cast<size_t>(expected));
    }
    const absl::Status status = consular::CheckText("note", text, limit, /*required=*/flag);
    if (status.ok()) {
      FUZZ_CHECK(expected >= 0 && static_cast<size_t>(expected) <= limit);
      FUZZ_CHECK(!flag || text.find_first_not_of(" \t\r\n") != std::string::npos);
      for (const char c : text) {
        FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r');
      }
    } else {
      FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      FUZZ_CHECK(std::string(status.message()).rfind("note: ", 0) == 0);
    }
  } else if (mode % 3 == 1) {
    // Dates: real calendar days between 1900-01-01 and 9999-12-31, formatted and compared.
    consular::v1::Date a, b;
    auto read_date = [&](consular::v1::Date* d) {
      d->set_year(static_cast<int32_t>(in.Byte() | in.Byte() << 8 | in.Byte() << 16 |
                                       static_cast<uint32_t>(in.Byte()) << 24));
      d->set_month(static_cast<int8_t>(in.Byte()));
      d->set_day(static_cast<int8_t>(in.Byte()));
    };
    read_date(&a);
    read_date(&b);
    if (consular::IsValidDate(a)) {
      const absl::CivilDay day(a.year(), a.month(), a.day());
      FUZZ_CHECK(day.year() == a.year() && day.month() == a.month() && day.day() == a.day());
      FUZZ_CHECK(a.year() >= 1900 && a.year() <= 9999);
      const std::string text = consular::FormatDate(a);
      FUZZ_CHECK(text.size() == 10 && text[4] == '-' && text[7] == '-');
      FUZZ_CHECK(consular::CompareDates(a, a) == 0);
      const consular::v1::Date again =
          consular::DateOf(absl::FromCivil(day, absl::UTCTimeZone()));
      FUZZ_CHECK(consular::CompareDates(a, again) == 0);
    }
    if (consular::IsValidDate(a) && consular::IsValidDate(b)) {
      const int ab = consular::CompareDates(a, b);
      const int ba = consular::CompareDates(b, a);
      FUZZ_CHECK((ab < 0) == (ba > 0) && (ab == 0) == (ba == 0));
    }
    const absl::Status status = consular::CheckDate("when", a, b, /*allow_future=*/flag);
    if (status.ok() && consular::IsSet(a)) {
      FUZZ_CHECK(consular::IsValidDate(a));
      if (!flag) FUZZ_CHECK(consular::CompareDates(a, b) <= 0);
    }
  } else {
    // Country codes: only officially assigned ISO 3166-1 alpha-2 codes, in upper case.
    const std::string code = in.Rest();
    if (consular::IsKnownCountryCode(code)) {
      FUZZ_CHECK(code.size() == 2 && absl::ascii_isupper(static_cast<unsigned char>(code[0])) &&
                 absl::ascii_isupper(static_cast<unsigned char>(code[1])));
    }
  }
}
