#include "tools/datagen/content.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace consular::datagen {
namespace {

namespace v1 = consular::v1;

constexpr const char* kFemaleNames[] = {"Amal",   "Nadia", "Samira", "Yasmina", "Fatima", "Leila",
                                        "Zeynep", "Elif",  "Ayesha", "Mariam",  "Noor",   "Hana",
                                        "Esra",   "Sanaa", "Imane",  "Priya",   "Abena",  "Chioma",
                                        "Sara",   "Ines",  "Aicha",  "Dilan",   "Hira",   "Salma"};
constexpr const char* kMaleNames[] = {"Youssef", "Omar",  "Emre",  "Bilal", "Karim", "Hamza",
                                      "Kwame",   "Arjun", "Murat", "Tarik", "Anas",  "Yusuf"};
// Family names are composed from these, so that no real person is named.
constexpr const char* kNamePrefixes[] = {"", "", "", "El ", "Al-", "Ben ", "Ait ", "Van "};
constexpr const char* kNameRoots[] = {"Kar", "Tal", "Mer", "Saf", "Dun", "Vor", "Zar", "Hel",
                                      "Qas", "Lum", "Bor", "Nes", "Riv", "Tem", "Jol", "Pax"};
constexpr const char* kNameEndings[] = {"ani", "ouri", "elik", "ami", "idi", "oz", "un", "essi"};

constexpr const char* kOrganisations[] = {
    "", "", "Family friend", "Neighbour", "School", "Local clinic", "Community centre", "Employer"};

constexpr const char* kContactNotes[] = {
    "Discussed the options; will report back after the weekend.",
    "Agreed next steps and who contacts the person.",
    "Counterpart asked for written confirmation from the post.",
    "Left a message; the counterpart will call back.",
    "Shared the documents needed; waiting for a reply.",
};

// Street names for partners' offices (common words, no real address intended).
constexpr const char* kStreets[] = {"Market Street", "Station Road", "Garden Avenue",
                                    "Harbour Road",  "Palm Street",  "University Avenue"};

constexpr const char* kVettingNotes[] = {
    "References checked with two other posts; works with our cases since 2014.",
    "Visited by the post; premises and procedures adequate.",
    "Recommended by the regional coordinator; no complaints known.",
};

template <typename T, size_t N>
const T& PickFrom(ContentRng& rng, const T (&items)[N]) {
  return items[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

int Uniform(ContentRng& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

std::string Digits(ContentRng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, i % 4 == 0 ? " " : "", Uniform(rng, 0, 9));
  return out;
}

}  // namespace

ContentRng ItemRng(uint64_t seed, uint64_t key) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + key;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return ContentRng(x ^ (x >> 31));
}

std::string FictionalFamilyName(ContentRng& rng) {
  return absl::StrCat(PickFrom(rng, kNamePrefixes), PickFrom(rng, kNameRoots),
                      PickFrom(rng, kNameEndings));
}

std::string FictionalName(ContentRng& rng, v1::Sex sex) {
  const std::string given =
      sex == v1::SEX_MALE ? PickFrom(rng, kMaleNames) : PickFrom(rng, kFemaleNames);
  return absl::StrCat(given, " ", FictionalFamilyName(rng));
}

std::string CityOfPost(const std::string& post) {
  std::string city;
  bool start = true;
  for (const char c : post) {
    if (c == '-') {
      city.push_back(' ');
      start = true;
      continue;
    }
    city.push_back(start ? absl::ascii_toupper(static_cast<unsigned char>(c))
                         : absl::ascii_tolower(static_cast<unsigned char>(c)));
    start = false;
  }
  return city;
}

std::string PartnerName(ContentRng& rng, v1::PartnerKind kind, const std::string& city) {
  switch (kind) {
    case v1::PARTNER_KIND_LAWYER:
      switch (Uniform(rng, 0, 2)) {
        case 0:
          return absl::StrCat("Cabinet ", FictionalFamilyName(rng));
        case 1:
          return absl::StrCat(FictionalFamilyName(rng), " Law Office");
        default:
          return absl::StrCat(FictionalFamilyName(rng), " & ", FictionalFamilyName(rng),
                              " Advocates");
      }
    case v1::PARTNER_KIND_AID_ORGANISATION: {
      static constexpr const char* kAid[] = {"Family Support Network", "Foundation for Women",
                                             "Legal Aid Centre", "Returnee Support Association"};
      return Uniform(rng, 0, 1) == 0 ? absl::StrCat(city, " ", PickFrom(rng, kAid))
                                     : absl::StrCat(FictionalFamilyName(rng), " Foundation");
    }
    case v1::PARTNER_KIND_SHELTER: {
      static constexpr const char* kShelter[] = {"Women's Refuge", "Safe House",
                                                 "Shelter for Women and Children"};
      return absl::StrCat(city, " ", PickFrom(rng, kShelter));
    }
    case v1::PARTNER_KIND_LOCAL_AUTHORITY: {
      static constexpr const char* kAuthority[] = {
          "Civil Registry", "Immigration Office", "Family Court Registry", "Police Liaison Office"};
      return absl::StrCat(PickFrom(rng, kAuthority), ", ", city);
    }
    case v1::PARTNER_KIND_MEDICAL:
      return absl::StrCat(FictionalFamilyName(rng), " Clinic, ", city);
    default:
      return absl::StrCat(FictionalFamilyName(rng), " Interpreting Services");
  }
}

std::string TransitionReason(ContentRng& rng, v1::CaseStatus from, v1::CaseStatus to) {
  switch (to) {
    case v1::CASE_STATUS_ACTIVE:
      if (from == v1::CASE_STATUS_ON_HOLD) {
        static constexpr const char* kResume[] = {"Person can be reached again; resuming.",
                                                  "Documents received; resuming the case work."};
        return PickFrom(rng, kResume);
      }
      return "Intake complete; working the case.";
    case v1::CASE_STATUS_ON_HOLD: {
      static constexpr const char* kHold[] = {"Waiting for documents from the court.",
                                              "Person asked to pause contact for now.",
                                              "Waiting for the local authority to respond."};
      return PickFrom(rng, kHold);
    }
    case v1::CASE_STATUS_RESOLVED: {
      static constexpr const char* kResolve[] = {"Goal reached; closing out the case work.",
                                                 "Person withdrew the request for assistance.",
                                                 "Nothing more the post can do; case resolved."};
      return PickFrom(rng, kResolve);
    }
    case v1::CASE_STATUS_CLOSED:
      return "Follow-up period over; file closed.";
    default:
      return "Status changed.";
  }
}

std::string ContactNoteText(ContentRng& rng, v1::ContactPurpose purpose) {
  switch (purpose) {
    case v1::CONTACT_PURPOSE_SHELTER:
      return "Shelter place discussed; availability confirmed for next week.";
    case v1::CONTACT_PURPOSE_LEGAL_ADVICE:
    case v1::CONTACT_PURPOSE_COURT_REPRESENTATION:
      return "Lawyer explained the procedure and the documents needed.";
    default:
      return PickFrom(rng, kContactNotes);
  }
}

v1::AdHocContact AdHocCounterpart(ContentRng& rng, const std::string& country) {
  v1::AdHocContact contact;
  const v1::Sex sex = Uniform(rng, 0, 1) == 0 ? v1::SEX_FEMALE : v1::SEX_MALE;
  contact.set_name(FictionalName(rng, sex));
  contact.set_organisation(PickFrom(rng, kOrganisations));
  contact.set_phone(absl::StrCat("+00 6", Digits(rng, 8)));
  if (Uniform(rng, 0, 2) == 0) {
    contact.set_email(absl::StrCat("contact", Uniform(rng, 100, 999), ".",
                                   absl::AsciiStrToLower(country), "@example.org"));
  }
  return contact;
}

v1::PartnerContactDetails PartnerDetails(ContentRng& rng, const std::string& country,
                                         const std::string& city, v1::PartnerKind kind,
                                         int number) {
  v1::PartnerContactDetails details;
  const std::string slug = absl::StrCat(absl::AsciiStrToLower(country), "-", number);
  details.set_phone(absl::StrCat("+00 2", Digits(rng, 8)));
  details.set_email(absl::StrCat(kind == v1::PARTNER_KIND_LAWYER ? "office" : "info", "@partner-",
                                 slug, ".example.org"));
  details.set_address(absl::StrCat(Uniform(rng, 1, 240), " ", PickFrom(rng, kStreets), ", ", city));
  if (Uniform(rng, 0, 1) == 0)
    details.set_website(absl::StrCat("https://partner-", slug, ".example.org"));
  return details;
}

std::string VettingNote(ContentRng& rng) { return PickFrom(rng, kVettingNotes); }

}  // namespace consular::datagen
