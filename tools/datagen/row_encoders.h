#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consular/v1/common.pb.h"
#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "storage/case_store.h"
#include "tools/datagen/bulk_load.h"
#include "tools/datagen/bulk_records.h"

// The bulk loader's column values, as COPY's text format reads them: enum names, arrays, UUIDs,
// bytea, and the JSON and ciphertexts the services would have written (the event payload through
// storage/case_events.h, associated data through storage/case_sealing.h).
namespace consular::datagen::bulk {

// The name of enum value `n` ("" when there is none).
using NameOf = const std::string& (*)(int n);
const std::string& CaseTypeName(int n);
const std::string& StatusName(int n);
const std::string& OutcomeName(int n);
const std::string& SexName(int n);
const std::string& NationalityName(int n);
const std::string& ReferralName(int n);
const std::string& FlagName(int n);
const std::string& DecisionName(int n);
const std::string& ObstacleName(int n);
const std::string& StageName(int n);
const std::string& FundingName(int n);
const std::string& EventTypeName(int n);
const std::string& KindName(int n);
const std::string& PurposeName(int n);
const std::string& ChannelName(int n);
const std::string& DirectionName(int n);
const std::string& ContactOutcomeName(int n);

// The children on case `c` as storage::StatisticalFactsOf names them (kChildren; not counted on
// other case types than abandonment).
std::string ChildrenName(const CaseRec& c);

// The names of the set bits of `mask`, in enum order.
std::vector<std::string> NamesOf(uint32_t mask, NameOf name_of);
// Appends them as a PostgreSQL array literal ("{A,B}": enum names need no quoting).
void AppendTextArray(std::string* out, uint32_t mask, NameOf name_of);

void AppendUuid(std::string* out, const Uuid& u);
std::string UuidText(const Uuid& u);
// `bytes` as bytea input (a backslash, "x", then hex).
std::string Bytea(const std::string& bytes);
// Without keys: a bytea value cases.is_field_ciphertext accepts (as
// tests/contacts/contact_log_test.cc).
const std::string& DummyCiphertext();

// Who acts on a case.
struct ActorOf {
  std::string subject;
  consular::v1::Role role;
  std::string post;  // "" for LKHA
};

// The values of a data set's rows that depend on more than one record.
class RowEncoder {
 public:
  // Both must outlive the encoder.
  RowEncoder(const Data& d, const std::vector<CountryShare>& countries)
      : d_(d), countries_(countries) {}

  // The unit handling case `c`: its country's post, or LKHA.
  const std::string& Unit(const CaseRec& c) const;

  // Actor `actor` (kOfficer, kManager, kLkha) number `number` of case `c`.
  ActorOf Actor(const CaseRec& c, uint8_t actor, uint8_t number) const;

  // cases.case_events.facts of event `e` of case `c`: the case's facts after the event, as
  // cases.statistical_facts_of gives them, and for a contact event the contact's, as
  // contacts.statistical_facts_of (what cases.fill_event_facts would have written at commit).
  std::string Facts(const CaseRec& c, const EventRec& e) const;

  // cases.case_events.payload of event `e` by `actor`: the consular.v1.CaseEvent as the case
  // service (CaseStore::AppendEvent) and cases.append_contact_event write it.
  std::string Payload(const EventRec& e, const ActorOf& actor) const;

  static bool IsContactEvent(int type);

 private:
  const Data& d_;
  const std::vector<CountryShare>& countries_;
};

// With keys: the keys, and what was sealed ahead of the COPY (tools/datagen/personal_parts.h).
struct Sealed {
  const FieldCipher* cipher = nullptr;
  const BlindIndex* blind_index = nullptr;
  uint64_t seed = 0;
  std::vector<std::string> personal;    // by case index: the personal part's ciphertext
  std::vector<std::string> name_index;  // by case index: the subject's name's blind index
  // By case index: the duplicate-finding indexes of the subject (storage::SubjectIndexesOf).
  std::vector<storage::SubjectIndexes> subject_indexes;

  // `plaintext` sealed under `ad`, as bytea input.
  std::string Seal(const std::string& plaintext, const AssociatedData& ad) const {
    return Bytea(cipher->Encrypt(plaintext, ad));
  }
};

// Salts of the per-item content rngs (tools/datagen/content.h ItemRng).
constexpr uint64_t kPersonalSalt = 0x5e1fULL;
constexpr uint64_t kNoteSalt = 0x40feULL;
constexpr uint64_t kReasonSalt = 0x4ea5ULL;
constexpr uint64_t kContactSalt = 0xc047ULL;
constexpr uint64_t kPartnerSalt = 0x9a47ULL;

}  // namespace consular::datagen::bulk
