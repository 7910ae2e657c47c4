#include "services/cases/subject_access_render.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "base/markup.h"
#include "proto/dates.h"

namespace consular::cases {
namespace {

using consular::v1::SubjectAccessContent;
using consular::v1::WithheldItem;

// The grounds of what is withheld.
enum class Ground { kThirdParty, kProtection, kStaff };

bool Dutch(const std::string& language) { return language == "nl"; }

std::string GroundText(const std::string& language, Ground ground) {
  const bool nl = Dutch(language);
  switch (ground) {
    case Ground::kThirdParty:
      return nl ? "gegevens van derden: art. 15 lid 4 AVG" : "third party's data: GDPR art. 15(4)";
    case Ground::kProtection:
      return nl ? "bescherming van de betrokkene (veiligheidsmaatregel): art. 41 lid 1 onder i "
                  "UAVG, art. 23 lid 1 onder i AVG"
                : "protection of the data subject (security measure): art. 41(1)(i) UAVG, "
                  "GDPR art. 23(1)(i)";
    case Ground::kStaff:
      return nl ? "rechten en vrijheden van anderen (medewerkers): art. 15 lid 4 AVG"
                : "rights and freedoms of others (staff): GDPR art. 15(4)";
  }
  return "";
}

void Withhold(SubjectAccessContent* out, const std::string& nl, const std::string& en, int count,
              Ground ground) {
  WithheldItem* item = out->add_withheld();
  item->set_what(Dutch(out->language()) ? nl : en);
  item->set_count(count);
  item->set_ground(GroundText(out->language(), ground));
}

// The Dutch words of the values shown on the page; English is derived from the value's name.
const std::map<std::string, std::string>& DutchValues() {
  static const auto* const kValues = new std::map<std::string, std::string>{
      {"CASE_TYPE_ABANDONMENT", "achterlating"},
      {"CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION", "erkenning van een Nederlandse echtscheiding"},
      {"CASE_STATUS_INTAKE", "intake"},
      {"CASE_STATUS_ACTIVE", "in behandeling"},
      {"CASE_STATUS_ON_HOLD", "aangehouden"},
      {"CASE_STATUS_RESOLVED", "afgerond"},
      {"CASE_STATUS_CLOSED", "gesloten"},
      {"OUTCOME_RETURNED_TO_NL", "teruggekeerd naar Nederland"},
      {"OUTCOME_STAYED_BY_OWN_CHOICE", "gebleven op eigen keuze"},
      {"OUTCOME_RETURN_NOT_POSSIBLE", "terugkeer niet mogelijk"},
      {"OUTCOME_CONTACT_LOST", "contact verloren"},
      {"OUTCOME_REFERRED_ELSEWHERE", "elders doorverwezen"},
      {"OUTCOME_WITHDRAWN", "ingetrokken"},
      {"OUTCOME_RECOGNISED", "erkend"},
      {"OUTCOME_REFUSED", "geweigerd"},
      {"OUTCOME_ALTERNATIVE_SOLUTION", "andere oplossing"},
      {"OUTCOME_PROCEEDINGS_ABANDONED", "procedure gestaakt"},
      {"SEX_FEMALE", "vrouw"},
      {"SEX_MALE", "man"},
      {"SEX_X", "X"},
      {"SEX_UNKNOWN", "onbekend"},
      {"NATIONALITY_STATUS_DUTCH_ONLY", "alleen Nederlands"},
      {"NATIONALITY_STATUS_DUAL", "dubbele nationaliteit"},
      {"NATIONALITY_STATUS_RESIDENCE_PERMIT", "Nederlandse verblijfsvergunning"},
      {"RISK_FLAG_FORCED_MARRIAGE", "huwelijksdwang"},
      {"RISK_FLAG_MARITAL_CAPTIVITY", "huwelijkse gevangenschap"},
      {"RISK_FLAG_MINOR_INVOLVED", "minderjarige betrokken"},
      {"RISK_FLAG_CHILDREN_WITH_PERSON", "kinderen bij de persoon"},
      {"RISK_FLAG_PASSPORT_WITHHELD", "paspoort ingehouden"},
      {"RISK_FLAG_RESIDENCE_PERMIT_AT_RISK", "verblijfsvergunning in gevaar"},
      {"RISK_FLAG_HONOUR_VIOLENCE_THREAT", "dreiging van eergerelateerd geweld"},
      {"RISK_FLAG_FGM_RISK", "risico op genitale verminking"},
      {"RISK_FLAG_PREGNANCY", "zwangerschap"},
      {"REFERRAL_SOURCE_SELF", "zelf"},
      {"REFERRAL_SOURCE_FAMILY", "familie"},
      {"REFERRAL_SOURCE_LKHA", "LKHA"},
      {"REFERRAL_SOURCE_SCHOOL", "school"},
      {"REFERRAL_SOURCE_POLICE", "politie"},
      {"REFERRAL_SOURCE_NGO", "maatschappelijke organisatie"},
      {"REFERRAL_SOURCE_OTHER_POST", "andere post"},
      {"REFERRAL_SOURCE_OTHER", "anders"},
      {"TRAVEL_DOCUMENT_TYPE_PASSPORT", "paspoort"},
      {"TRAVEL_DOCUMENT_TYPE_EMERGENCY_TRAVEL_DOCUMENT", "noodpaspoort"},
      {"TRAVEL_DOCUMENT_TYPE_LAISSEZ_PASSER", "laissez-passer"},
      {"TRAVEL_DOCUMENT_TYPE_ID_CARD", "identiteitskaart"},
      {"TRAVEL_DOCUMENT_TYPE_RESIDENCE_CARD", "verblijfsdocument"},
      {"DOCUMENT_STATUS_HELD_BY_PERSON", "in eigen bezit"},
      {"DOCUMENT_STATUS_WITHHELD", "ingehouden door een ander"},
      {"DOCUMENT_STATUS_LOST", "verloren"},
      {"DOCUMENT_STATUS_CANCELLED", "vervallen verklaard"},
      {"CONTACT_CHANNEL_PHONE", "telefoon"},
      {"CONTACT_CHANNEL_EMAIL", "e-mail"},
      {"CONTACT_CHANNEL_IN_PERSON", "persoonlijk"},
      {"CONTACT_CHANNEL_VIDEO", "video"},
      {"CONTACT_CHANNEL_LETTER", "brief"},
      {"CONTACT_CHANNEL_MESSAGING", "berichtendienst"},
      {"CONTACT_DIRECTION_OUTGOING", "uitgaand"},
      {"CONTACT_DIRECTION_INCOMING", "inkomend"},
      {"CONTACT_PURPOSE_LEGAL_ADVICE", "juridisch advies"},
      {"CONTACT_PURPOSE_COURT_REPRESENTATION", "vertegenwoordiging in rechte"},
      {"CONTACT_PURPOSE_SHELTER", "opvang"},
      {"CONTACT_PURPOSE_DOCUMENTS", "documenten"},
      {"CONTACT_PURPOSE_MEDIATION", "bemiddeling"},
      {"CONTACT_PURPOSE_MEDICAL", "medisch"},
      {"CONTACT_PURPOSE_RETURN_TRAVEL", "terugreis"},
      {"CONTACT_PURPOSE_OTHER", "anders"},
      {"CONTACT_OUTCOME_HELP_AGREED", "hulp toegezegd"},
      {"CONTACT_OUTCOME_INFORMATION_RECEIVED", "informatie ontvangen"},
      {"CONTACT_OUTCOME_REFERRED_ON", "doorverwezen"},
      {"CONTACT_OUTCOME_DECLINED", "afgewezen"},
      {"CONTACT_OUTCOME_NO_ANSWER", "geen antwoord"},
      {"CONTACT_OUTCOME_PENDING", "in afwachting"},
      {"PARTNER_KIND_LAWYER", "advocaat"},
      {"PARTNER_KIND_AID_ORGANISATION", "hulporganisatie"},
      {"PARTNER_KIND_SHELTER", "opvang"},
      {"PARTNER_KIND_LOCAL_AUTHORITY", "lokale overheid"},
      {"PARTNER_KIND_MEDICAL", "medische dienst"},
      {"PARTNER_KIND_OTHER", "anders"},
  };
  return *kValues;
}

// A value of `Enum` in words; "" for the unspecified value.
template <typename Enum>
std::string ValueText(const std::string& language, Enum value, const std::string& prefix) {
  const google::protobuf::EnumValueDescriptor* d =
      google::protobuf::GetEnumDescriptor<Enum>()->FindValueByNumber(value);
  if (d == nullptr || value == 0) return "";
  if (Dutch(language)) {
    auto it = DutchValues().find(d->name());
    if (it != DutchValues().end()) return it->second;
  }
  std::string name = d->name();
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  std::string words = absl::AsciiStrToLower(absl::StrReplaceAll(name, {{"_", " "}}));
  if (words == "nl") return "the Netherlands";
  return absl::StrReplaceAll(words, {{" to nl", " to the Netherlands"}});
}

// The labels of the page, by key, in both languages.
const std::map<std::string, std::pair<std::string, std::string>>& Labels() {
  static const auto* const kLabels = new std::map<std::string, std::pair<std::string, std::string>>{
      {"title", {"Uw gegevens in dossier $0", "Your data in case $0"}},
      {"intro",
       {"Dit is een kopie van de persoonsgegevens over u in dit consulaire dossier (artikel 15 "
        "AVG), opgemaakt op $0. Wat niet is opgenomen, staat onderaan met de reden.",
        "This is a copy of the personal data about you in this consular case (GDPR article 15), "
        "produced on $0. What is left out is listed at the end, with the reason."}},
      {"case", {"Het dossier", "The case"}},
      {"reference", {"Kenmerk", "Reference"}},
      {"unit", {"Behandelende post", "Handled by"}},
      {"type", {"Soort", "Type"}},
      {"status", {"Stand", "Status"}},
      {"outcome", {"Uitkomst", "Outcome"}},
      {"country", {"Land", "Country"}},
      {"opened", {"Geopend", "Opened"}},
      {"resolved", {"Afgerond", "Resolved"}},
      {"closed", {"Gesloten", "Closed"}},
      {"referral", {"Gemeld door", "Reported by"}},
      {"risks", {"Aandachtspunten", "Concerns recorded"}},
      {"you", {"Over u", "About you"}},
      {"name", {"Naam", "Name"}},
      {"birth", {"Geboortedatum", "Date of birth"}},
      {"sex", {"Geslacht", "Sex"}},
      {"nationality", {"Nationaliteit", "Nationality"}},
      {"children", {"Minderjarige kinderen", "Minor children"}},
      {"yes", {"ja", "yes"}},
      {"no", {"nee", "no"}},
      {"safe", {"Veilig contact", "Safe contact"}},
      {"channel", {"Kanaal", "Channel"}},
      {"times", {"Tijden", "Times"}},
      {"no_family", {"Familie niet benaderen", "Do not contact the family"}},
      {"documents", {"Uw reisdocumenten", "Your travel documents"}},
      {"doc_type", {"Document", "Document"}},
      {"number", {"Nummer", "Number"}},
      {"authority", {"Afgegeven door", "Issued by"}},
      {"issued", {"Afgegeven op", "Issued on"}},
      {"expires", {"Geldig tot", "Valid until"}},
      {"doc_status", {"Stand", "Status"}},
      {"details", {"Gegevens van de zaak", "Details of the case"}},
      {"notes", {"Aantekeningen", "Notes"}},
      {"date", {"Datum", "Date"}},
      {"text", {"Tekst", "Text"}},
      {"contacts", {"Contacten over uw zaak", "Contacts about your case"}},
      {"direction", {"Richting", "Direction"}},
      {"purpose", {"Doel", "Purpose"}},
      {"with", {"Met", "With"}},
      {"withheld", {"Niet opgenomen", "Left out"}},
      {"what", {"Wat", "What"}},
      {"count", {"Aantal", "Number"}},
      {"ground", {"Grond", "Ground"}},
      {"none", {"geen", "none"}},
      {"json",
       {"Dezelfde gegevens staan, leesbaar voor een computer, in het bijgevoegde "
        "JSON-bestand.",
        "The same data, readable by a computer, is in the accompanying JSON file."}},
  };
  return *kLabels;
}

std::string Label(const std::string& language, const std::string& key) {
  const auto& pair = Labels().at(key);
  return Dutch(language) ? pair.first : pair.second;
}

std::string DateText(const consular::v1::Date& date) {
  return date.year() == 0 ? "" : FormatDate(date);
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime(
      "%Y-%m-%d %H:%M UTC",
      absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(t)),
      absl::UTCTimeZone());
}

// One row of a definition list; left out when the value is empty. `value` is escaped here.
void Item(std::string* out, const std::string& label, const std::string& value) {
  if (value.empty()) return;
  absl::StrAppend(out, "<dt>", EscapeMarkup(label), "</dt><dd>", EscapeMarkup(value), "</dd>\n");
}

// A table with a header row; cells are escaped here.
void Table(std::string* out, const std::vector<std::string>& head,
           const std::vector<std::vector<std::string>>& rows, const std::string& empty) {
  if (rows.empty()) {
    absl::StrAppend(out, "<p>", EscapeMarkup(empty), "</p>\n");
    return;
  }
  absl::StrAppend(out, "<table>\n<thead><tr>");
  for (const std::string& h : head)
    absl::StrAppend(out, "<th scope=\"col\">", EscapeMarkup(h), "</th>");
  absl::StrAppend(out, "</tr></thead>\n<tbody>\n");
  for (const auto& row : rows) {
    absl::StrAppend(out, "<tr>");
    for (const std::string& cell : row) absl::StrAppend(out, "<td>", EscapeMarkup(cell), "</td>");
    absl::StrAppend(out, "</tr>\n");
  }
  absl::StrAppend(out, "</tbody>\n</table>\n");
}

constexpr char kStyle[] =
    "body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
    "color:#1a1a1a}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid "
    "#888}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}"
    "dd{margin:0;white-space:pre-wrap}table{border-collapse:collapse;width:100%}th,td{border:1px "
    "solid #888;padding:.3rem;text-align:left;vertical-align:top}td{white-space:pre-wrap}";

}  // namespace

SubjectAccessContent BuildSubjectAccessContent(const consular::v1::SubjectAccessRequest& request,
                                               const consular::v1::Case& c,
                                               const std::vector<consular::v1::CaseNote>& notes,
                                               const std::vector<consular::v1::Contact>& contacts,
                                               const google::protobuf::Timestamp& produced_at) {
  SubjectAccessContent out;
  out.set_subject_access_id(request.id());
  out.set_case_reference(c.reference());
  out.set_language(request.language());
  *out.mutable_produced_at() = produced_at;
  out.set_controller_unit(c.handling_post());
  out.set_type(c.type());
  out.set_status(c.status());
  out.set_outcome(c.outcome());
  out.set_country(c.country());
  *out.mutable_subject() = c.subject();
  *out.mutable_risk_flags() = c.risk_flags();
  out.set_referral_source(c.referral_source());
  *out.mutable_opened_at() = c.opened_at();
  // Set only when the case has them: an empty message would read as 1970 in the JSON.
  if (c.has_resolved_at()) *out.mutable_resolved_at() = c.resolved_at();
  if (c.has_closed_at()) *out.mutable_closed_at() = c.closed_at();
  out.set_safe_contact_channel(c.safety().safe_contact_channel());
  out.set_safe_contact_times(c.safety().safe_contact_times());
  out.set_do_not_contact_family(c.safety().do_not_contact_family());

  // Her own documents; another person's are a third party's data, and so is who keeps hers.
  int others_documents = 0;
  int withheld_by = 0;
  for (const consular::v1::TravelDocument& d : c.documents()) {
    if (!d.holder_person_id().empty()) {
      ++others_documents;
      continue;
    }
    consular::v1::TravelDocument* own = out.add_documents();
    *own = d;
    if (!own->withheld_by().empty()) {
      ++withheld_by;
      own->clear_withheld_by();
    }
  }
  int escort = 0;
  bool lawyer = false;
  if (c.has_abandonment()) {
    *out.mutable_abandonment() = c.abandonment();
    if (!c.abandonment().return_plan().escort().empty()) {
      escort = 1;
      out.mutable_abandonment()->mutable_return_plan()->clear_escort();
    }
  } else if (c.has_divorce_recognition()) {
    *out.mutable_divorce_recognition() = c.divorce_recognition();
    if (!c.divorce_recognition().lawyer_partner_id().empty()) {
      lawyer = true;
      out.mutable_divorce_recognition()->clear_lawyer_partner_id();
    }
  }

  for (const consular::v1::CaseNote& note : notes) {
    consular::v1::SubjectAccessNote* n = out.add_notes();
    *n->mutable_created_at() = note.created_at();
    n->set_text(note.text());
  }
  int contact_notes = 0;
  for (const consular::v1::Contact& contact : contacts) {
    consular::v1::SubjectAccessContact* entry = out.add_contacts();
    *entry->mutable_occurred_at() = contact.occurred_at();
    entry->set_channel(contact.channel());
    entry->set_direction(contact.direction());
    entry->set_purpose(contact.purpose());
    entry->set_outcome(contact.outcome());
    entry->set_counterpart_kind(contact.partner_kind());
    if (!contact.note().empty()) ++contact_notes;
  }

  // What is left out, and why. Always listed when the case holds it, so that she knows it exists.
  if (!c.safety().covert_notes().empty()) {
    Withhold(&out, "vertrouwelijke aantekeningen over uw veiligheid",
             "confidential notes about your safety", 1, Ground::kProtection);
  }
  if (!c.safety().code_word().empty() || c.safety().has_code_word()) {
    Withhold(&out, "het codewoord waarmee u zich bij ons bekendmaakt",
             "the code word by which you make yourself known to us", 1, Ground::kProtection);
  }
  if (c.persons_size() > 0) {
    Withhold(&out, "andere personen in het dossier (kinderen, familie, contactpersonen)",
             "other persons on the case (children, family, contacts)", c.persons_size(),
             Ground::kThirdParty);
  }
  if (others_documents > 0) {
    Withhold(&out, "reisdocumenten van andere personen", "travel documents of other persons",
             others_documents, Ground::kThirdParty);
  }
  if (withheld_by > 0) {
    Withhold(&out, "wie uw documenten inhoudt", "who keeps your documents from you", withheld_by,
             Ground::kThirdParty);
  }
  if (escort > 0) {
    Withhold(&out, "wie u bij de terugreis begeleidt", "who escorts your return", escort,
             Ground::kThirdParty);
  }
  if (lawyer) {
    Withhold(&out, "de advocaat uit onze lijst van partners", "the lawyer from our partner list", 1,
             Ground::kThirdParty);
  }
  if (!contacts.empty()) {
    Withhold(&out, "met wie contact was (namen en contactgegevens van partners en contactpersonen)",
             "whom each contact was with (names and contact details of partners and others)",
             static_cast<int>(contacts.size()), Ground::kThirdParty);
  }
  if (contact_notes > 0) {
    Withhold(&out, "aantekeningen bij contacten", "notes on contacts", contact_notes,
             Ground::kThirdParty);
  }
  if (!notes.empty() || !contacts.empty() || !c.assigned_to().empty()) {
    Withhold(&out, "namen van medewerkers die aan uw zaak werkten",
             "names of the staff who worked on your case", 0, Ground::kStaff);
  }
  return out;
}

std::string RenderSubjectAccessJson(const SubjectAccessContent& content) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(content, &out, options).ok()) return "";
  return out;
}

std::string RenderSubjectAccessHtml(const SubjectAccessContent& content) {
  const std::string& lang = Dutch(content.language()) ? content.language() : "en";
  auto label = [&](const std::string& key) { return Label(lang, key); };
  const std::string title = absl::StrReplaceAll(label("title"), {{"$0", content.case_reference()}});
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"", EscapeMarkup(lang),
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>",
      EscapeMarkup(title), "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n<main>\n<h1>",
      EscapeMarkup(title), "</h1>\n<p>",
      EscapeMarkup(absl::StrReplaceAll(label("intro"), {{"$0", TimeText(content.produced_at())}})),
      "</p>\n");

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("you")), "</h2>\n<dl>\n");
  const consular::v1::Subject& s = content.subject();
  Item(&out, label("name"), s.full_name());
  Item(&out, label("birth"), DateText(s.date_of_birth()));
  Item(&out, label("sex"), ValueText(lang, s.sex(), "SEX_"));
  Item(&out, label("nationality"), ValueText(lang, s.nationality_status(), "NATIONALITY_STATUS_"));
  Item(&out, label("children"), s.has_minor_children() ? label("yes") : label("no"));
  absl::StrAppend(&out, "</dl>\n");

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("safe")), "</h2>\n<dl>\n");
  Item(&out, label("channel"), content.safe_contact_channel());
  Item(&out, label("times"), content.safe_contact_times());
  Item(&out, label("no_family"), content.do_not_contact_family() ? label("yes") : label("no"));
  absl::StrAppend(&out, "</dl>\n");

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("case")), "</h2>\n<dl>\n");
  Item(&out, label("reference"), content.case_reference());
  Item(&out, label("unit"), content.controller_unit());
  Item(&out, label("type"), ValueText(lang, content.type(), "CASE_TYPE_"));
  Item(&out, label("status"), ValueText(lang, content.status(), "CASE_STATUS_"));
  Item(&out, label("outcome"), ValueText(lang, content.outcome(), "OUTCOME_"));
  Item(&out, label("country"), content.country());
  Item(&out, label("referral"), ValueText(lang, content.referral_source(), "REFERRAL_SOURCE_"));
  std::vector<std::string> risks;
  for (int flag : content.risk_flags()) {
    risks.push_back(ValueText(lang, static_cast<consular::v1::RiskFlag>(flag), "RISK_FLAG_"));
  }
  Item(&out, label("risks"), absl::StrJoin(risks, ", "));
  Item(&out, label("opened"), TimeText(content.opened_at()));
  Item(&out, label("resolved"), TimeText(content.resolved_at()));
  Item(&out, label("closed"), TimeText(content.closed_at()));
  absl::StrAppend(&out, "</dl>\n");

  // The type's details as recorded, each field by its name in the API (no free invention of
  // labels for dozens of fields): the JSON file holds the same.
  std::string details_json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (content.has_abandonment()) {
    (void)google::protobuf::util::MessageToJsonString(content.abandonment(), &details_json,
                                                      options);
  } else if (content.has_divorce_recognition()) {
    (void)google::protobuf::util::MessageToJsonString(content.divorce_recognition(), &details_json,
                                                      options);
  }
  if (!details_json.empty() && details_json != "{}\n" && details_json != "{}") {
    absl::StrAppend(&out, "<h2>", EscapeMarkup(label("details")), "</h2>\n<pre>",
                    EscapeMarkup(details_json), "</pre>\n");
  }

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("documents")), "</h2>\n");
  std::vector<std::vector<std::string>> documents;
  for (const consular::v1::TravelDocument& d : content.documents()) {
    documents.push_back({ValueText(lang, d.type(), "TRAVEL_DOCUMENT_TYPE_"), d.number(),
                         d.issuing_authority(), DateText(d.issued_on()), DateText(d.expires_on()),
                         ValueText(lang, d.status(), "DOCUMENT_STATUS_")});
  }
  Table(&out,
        {label("doc_type"), label("number"), label("authority"), label("issued"), label("expires"),
         label("doc_status")},
        documents, label("none"));

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("notes")), "</h2>\n");
  std::vector<std::vector<std::string>> notes;
  for (const consular::v1::SubjectAccessNote& n : content.notes()) {
    notes.push_back({TimeText(n.created_at()), n.text()});
  }
  Table(&out, {label("date"), label("text")}, notes, label("none"));

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("contacts")), "</h2>\n");
  std::vector<std::vector<std::string>> contacts;
  for (const consular::v1::SubjectAccessContact& c : content.contacts()) {
    contacts.push_back({TimeText(c.occurred_at()),
                        ValueText(lang, c.counterpart_kind(), "PARTNER_KIND_"),
                        ValueText(lang, c.channel(), "CONTACT_CHANNEL_"),
                        ValueText(lang, c.direction(), "CONTACT_DIRECTION_"),
                        ValueText(lang, c.purpose(), "CONTACT_PURPOSE_"),
                        ValueText(lang, c.outcome(), "CONTACT_OUTCOME_")});
  }
  Table(&out,
        {label("date"), label("with"), label("channel"), label("direction"), label("purpose"),
         label("outcome")},
        contacts, label("none"));

  absl::StrAppend(&out, "<h2>", EscapeMarkup(label("withheld")), "</h2>\n");
  std::vector<std::vector<std::string>> withheld;
  for (const WithheldItem& w : content.withheld()) {
    withheld.push_back({w.what(), w.count() > 0 ? std::to_string(w.count()) : "", w.ground()});
  }
  Table(&out, {label("what"), label("count"), label("ground")}, withheld, label("none"));
  absl::StrAppend(&out, "<p>", EscapeMarkup(label("json")), "</p>\n</main>\n</body>\n</html>\n");
  return out;
}

}  // namespace consular::cases
