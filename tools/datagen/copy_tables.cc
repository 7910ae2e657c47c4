#include "tools/datagen/copy_tables.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "consular/v1/cases.pb.h"
#include "consular/v1/common.pb.h"
#include "consular/v1/contacts.pb.h"
#include "storage/case_store.h"
#include "storage/contact_store.h"
#include "storage/partner_store.h"
#include "storage/sealed_column.h"
#include "storage/case_sealing.h"
#include "tools/datagen/bulk_dates.h"
#include "tools/datagen/content.h"
#include "tools/loadgen/case_content.h"

namespace consular::datagen::bulk {
namespace {

namespace v1 = consular::v1;

// The associated data of a value of the sealed column `name` ("contacts.partners.vetting_note")
// in the row with id `id`, as the store that owns the column forms it.
AssociatedData IdRowAssociatedData(const std::vector<storage::SealedColumn>& columns,
                                   const std::string& name, const std::string& id) {
  for (const storage::SealedColumn& column : columns) {
    if (column.Name() == name) return column.associated_data(id, "");
  }
  throw std::logic_error("no sealed column " + name);
}
AssociatedData PartnerAd(const std::string& column, const std::string& id) {
  return IdRowAssociatedData(storage::PartnerStore::SealedColumns(), "contacts.partners." + column,
                             id);
}
AssociatedData ContactAd(const std::string& column, const std::string& id) {
  return IdRowAssociatedData(storage::ContactStore::SealedColumns(), "contacts.contacts." + column,
                             id);
}

// Fields of one COPY row: text, or NULL.
template <size_t N>
class Row {
 public:
  std::string& operator[](size_t i) {
    null_[i] = false;
    text_[i].clear();
    return text_[i];
  }
  void Null(size_t i) { null_[i] = true; }
  const std::array<const char*, N>& Fields() {
    for (size_t i = 0; i < N; ++i) fields_[i] = null_[i] ? nullptr : text_[i].c_str();
    return fields_;
  }

 private:
  std::array<std::string, N> text_;
  std::array<bool, N> null_{};
  std::array<const char*, N> fields_{};
};

}  // namespace

void CopyPartners(pqxx::work& tx, const std::vector<PartnerRec>& partners,
                  const std::vector<CountryShare>& countries, const Sealed* sealed) {
  pqxx::stream_to out(
      tx, "contacts.partners",
      std::vector<std::string>{"id", "kind", "name", "country", "city", "specialisms", "languages",
                               "contact_details", "vetting_status", "vetting_note", "vetted_by",
                               "vetted_at", "active", "created_by", "created_at", "updated_at",
                               "version"});
  Row<17> row;
  for (const PartnerRec& p : partners) {
    const std::string& country = countries[p.country].country;
    const std::string city = CityOfPost(countries[p.country].post);
    const auto kind = static_cast<v1::PartnerKind>(p.kind);
    const uint64_t key = static_cast<uint64_t>(p.country) * 100 + static_cast<uint64_t>(p.number);
    // The directory's names and cities are in the clear (and the same for every seed).
    ContentRng name_rng = ItemRng(kPartnerSalt, key);
    AppendUuid(&row[0], p.id);
    row[1] = KindName(p.kind);
    row[2] = PartnerName(name_rng, kind, city);
    row[3] = country;
    row[4] = city;
    row[5] = p.kind == v1::PARTNER_KIND_LAWYER
                 ? "{SPECIALISM_FAMILY_LAW,SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS}"
                 : "{}";
    row[6] = "{en,fr}";
    const std::string id = UuidText(p.id);
    ContentRng rng = ItemRng(sealed != nullptr ? sealed->seed ^ kPartnerSalt : 0, key);
    row[7] = sealed == nullptr
                 ? DummyCiphertext()
                 : sealed->Seal(
                       PartnerDetails(rng, country, city, kind, p.number).SerializeAsString(),
                       PartnerAd("contact_details", id));
    if (p.vetted) {
      row[8] = "VETTING_STATUS_VETTED";
      row[9] = sealed == nullptr ? DummyCiphertext()
                                 : sealed->Seal(VettingNote(rng),
                                                PartnerAd("vetting_note", id));
      row[10] = "admin-bench";
      AppendTimestamp(&row[11], kPartnersVetted);
    } else {
      row[8] = "VETTING_STATUS_UNVETTED";
      row.Null(9);
      row.Null(10);
      row.Null(11);
    }
    row[12] = "t";
    row[13] = "admin-bench";
    AppendTimestamp(&row[14], kPartnersCreated);
    AppendTimestamp(&row[15], p.vetted ? kPartnersVetted : kPartnersCreated);
    row[16] = p.vetted ? "2" : "1";
    out << row.Fields();
  }
  out.complete();
}

void CopyCases(pqxx::work& tx, const Data& d, const RowEncoder& w,
               const std::vector<CountryShare>& countries, const Sealed* sealed) {
  pqxx::stream_to out(tx, "cases.cases",
                      std::vector<std::string>{"id",
                                               "reference",
                                               "case_type",
                                               "status",
                                               "outcome",
                                               "handling_post",
                                               "country",
                                               "risk_flags",
                                               "referral_source",
                                               "subject_sex",
                                               "subject_nationality_status",
                                               "personal",
                                               "opened_at",
                                               "updated_at",
                                               "resolved_at",
                                               "closed_at",
                                               "version",
                                               "subject_name_bidx",
                                               "stat_age_group",
                                               "stat_mother_with_minor_children",
                                               "stat_recognition_decision",
                                               "stat_recognition_obstacles",
                                               "subject_name_birth_bidx",
                                               "subject_sound_bidx",
                                               "subject_sound_birth_bidx",
                                               "stat_children",
                                               "stat_return_funding",
                                               "stat_recognition_stage"});
  Row<28> row;
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < d.cases.size(); ++i) {
    const CaseRec& c = d.cases[i];
    AppendUuid(&row[0], c.id);
    row[1] = absl::StrFormat("%s-%04d-%05d", c.type == v1::CASE_TYPE_ABANDONMENT ? "ABN" : "DIV",
                             YearOf(c.opened), c.reference_number);
    row[2] = CaseTypeName(c.type);
    row[3] = StatusName(c.status);
    if (c.outcome == 0) {
      row.Null(4);
    } else {
      row[4] = OutcomeName(c.outcome);
    }
    row[5] = w.Unit(c);
    row[6] = countries[c.country].country;
    AppendTextArray(&row[7], c.flags, FlagName);
    row[8] = ReferralName(c.referral);
    row[9] = SexName(c.sex);
    row[10] = NationalityName(c.nationality);
    row[11] = sealed == nullptr ? DummyCiphertext() : Bytea(sealed->personal[i]);
    AppendTimestamp(&row[12], c.opened);
    AppendTimestamp(&row[13], c.updated);
    if (c.resolved == 0) {
      row.Null(14);
    } else {
      AppendTimestamp(&row[14], c.resolved);
    }
    if (c.closed == 0) {
      row.Null(15);
    } else {
      AppendTimestamp(&row[15], c.closed);
    }
    row[16] = std::to_string(c.version);
    std::string& bidx = row[17];
    if (sealed != nullptr) {
      bidx = Bytea(sealed->name_index[i]);
    } else {
      bidx = "\\x";
      for (int j = 0; j < 32; ++j) {
        const uint8_t b = j < 16 ? c.name_index[j] : static_cast<uint8_t>(c.id[j - 16] ^ 0x5a);
        bidx.push_back(kHex[b >> 4]);
        bidx.push_back(kHex[b & 15]);
      }
    }
    row[18] = kAgeGroups[c.age_group];
    row[19] = c.mother ? "t" : "f";
    row[20] = DecisionName(c.decision);
    AppendTextArray(&row[21], c.obstacles, ObstacleName);
    // The duplicate-finding indexes, from the real names when sealing (none without keys).
    const storage::SubjectIndexes* indexes =
        sealed != nullptr ? &sealed->subject_indexes[i] : nullptr;
    for (const auto& [column, value] :
         {std::pair<size_t, const std::string*>{22, indexes ? &indexes->name_birth : nullptr},
          {23, indexes ? &indexes->sound : nullptr},
          {24, indexes ? &indexes->sound_birth : nullptr}}) {
      if (value == nullptr || value->empty()) {
        row.Null(column);
      } else {
        row[column] = Bytea(*value);
      }
    }
    row[25] = ChildrenName(c);
    row[26] = FundingName(c.funding);
    row[27] = StageName(c.stage);
    out << row.Fields();
  }
  out.complete();
}

void CopyNotes(pqxx::work& tx, const Data& d, const RowEncoder& w, const Sealed* sealed) {
  pqxx::stream_to out(
      tx, "cases.case_notes",
      std::vector<std::string>{"id", "case_id", "author", "author_post", "created_at", "body"});
  Row<6> row;
  for (size_t i = 0; i < d.notes.size(); ++i) {
    const NoteRec& n = d.notes[i];
    const CaseRec& c = d.cases[n.case_index];
    const ActorOf actor = w.Actor(c, n.actor, n.actor_number);
    AppendUuid(&row[0], n.id);
    AppendUuid(&row[1], c.id);
    row[2] = actor.subject;
    row[3] = actor.post;
    AppendTimestamp(&row[4], n.created);
    if (sealed == nullptr) {
      row[5] = DummyCiphertext();
    } else {
      ContentRng rng = ItemRng(sealed->seed ^ kNoteSalt, i);
      row[5] = sealed->Seal(loadgen::RandomNoteText(rng, static_cast<v1::CaseType>(c.type)),
                            storage::NoteBodyAd(UuidText(n.id)));
    }
    out << row.Fields();
  }
  out.complete();
}

void CopyContacts(pqxx::work& tx, const Data& d, const RowEncoder& w,
                  const std::vector<PartnerRec>& partners,
                  const std::vector<CountryShare>& countries, const Sealed* sealed) {
  pqxx::stream_to out(tx, "contacts.contacts",
                      std::vector<std::string>{
                          "id", "case_id", "partner_id", "ad_hoc", "partner_kind", "occurred_at",
                          "channel", "direction", "purpose", "outcome", "follow_up_due",
                          "follow_up_done_at", "follow_up_done_by", "note", "logged_by",
                          "logged_by_unit", "created_at", "updated_at", "version"});
  Row<19> row;
  for (size_t i = 0; i < d.contacts.size(); ++i) {
    const ContactRec& k = d.contacts[i];
    const CaseRec& c = d.cases[k.case_index];
    const std::string id = UuidText(k.id);
    ContentRng rng = ItemRng(sealed != nullptr ? sealed->seed ^ kContactSalt : 0, i);
    AppendUuid(&row[0], k.id);
    AppendUuid(&row[1], c.id);
    if (k.partner < 0) {
      row.Null(2);
      row[3] = sealed == nullptr
                   ? DummyCiphertext()
                   : sealed->Seal(
                         AdHocCounterpart(rng, countries[c.country].country).SerializeAsString(),
                         ContactAd("ad_hoc", id));
    } else {
      AppendUuid(&row[2], partners[k.partner].id);
      row.Null(3);
    }
    row[4] = KindName(k.kind);
    AppendTimestamp(&row[5], k.occurred);
    row[6] = ChannelName(k.channel);
    row[7] = DirectionName(k.direction);
    row[8] = PurposeName(k.purpose);
    row[9] = ContactOutcomeName(k.outcome);
    if (k.due_day < 0) {
      row.Null(10);
    } else {
      AppendDay(&row[10], k.due_day);
    }
    if (k.done == 0) {
      row.Null(11);
      row.Null(12);
    } else {
      AppendTimestamp(&row[11], k.done);
      row[12] = w.Actor(c, k.actor, k.done_actor_number).subject;
    }
    if (k.note) {
      row[13] =
          sealed == nullptr
              ? DummyCiphertext()
              : sealed->Seal(ContactNoteText(rng, static_cast<v1::ContactPurpose>(k.purpose)),
                             ContactAd("note", id));
    } else {
      row.Null(13);
    }
    row[14] = w.Actor(c, k.actor, k.actor_number).subject;
    row[15] = w.Unit(c);
    AppendTimestamp(&row[16], k.created);
    AppendTimestamp(&row[17], k.updated);
    row[18] = std::to_string(k.version);
    out << row.Fields();
  }
  out.complete();
}

void CopyEvents(pqxx::work& tx, const Data& d, const RowEncoder& w, const Sealed* sealed,
                const Progress& progress) {
  pqxx::stream_to out(tx, "cases.case_events",
                      std::vector<std::string>{"id", "case_id", "sequence", "event_type", "actor",
                                               "actor_role", "actor_post", "occurred_at",
                                               "case_version", "payload", "reason", "facts"});
  Row<12> row;
  const absl::Time start = absl::Now();
  int64_t id = 0;
  for (const EventRec& e : d.events) {
    const CaseRec& c = d.cases[e.case_index];
    const ActorOf actor = w.Actor(c, e.actor, e.actor_number);
    row[0] = std::to_string(++id);
    AppendUuid(&row[1], c.id);
    row[2] = std::to_string(e.sequence);
    row[3] = EventTypeName(e.type);
    row[4] = actor.subject;
    row[5] = v1::Role_Name(actor.role);
    row[6] = actor.post;
    AppendTimestamp(&row[7], e.at);
    row[8] = std::to_string(e.version);
    row[9] = w.Payload(e, actor);
    if (e.type == v1::CASE_EVENT_TYPE_TRANSITIONED) {
      if (sealed == nullptr) {
        row[10] = DummyCiphertext();
      } else {
        ContentRng rng = ItemRng(sealed->seed ^ kReasonSalt, static_cast<uint64_t>(id));
        row[10] = sealed->Seal(TransitionReason(rng, static_cast<v1::CaseStatus>(e.from_status),
                                                static_cast<v1::CaseStatus>(e.status)),
                               storage::ReasonAd(UuidText(c.id), e.sequence));
      }
    } else {
      row.Null(10);
    }
    row[11] = w.Facts(c, e);
    out << row.Fields();
    if (id % 1000000 == 0) {
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      progress.Say(absl::StrFormat("  events: %d of %d written (%.0f/s)", id, d.events.size(),
                                   static_cast<double>(id) / std::max(seconds, 1e-3)));
    }
  }
  out.complete();
}

}  // namespace consular::datagen::bulk
