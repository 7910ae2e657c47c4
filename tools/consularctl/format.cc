#include "tools/consularctl/format.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tools/consularctl/dates.h"
#include "tools/consularctl/enums.h"
#include "tools/consularctl/text_layout.h"

namespace consular::ctl {
namespace {

using ::consular::v1::Case;
using ::consular::v1::CaseEvent;
using ::consular::v1::CaseNote;
using ::consular::v1::CaseShare;
using ::consular::v1::Contact;
using ::consular::v1::EmergencyAccess;

constexpr char kArrow[] = "\u2192";  // →

template <typename E>
std::string Words(const google::protobuf::EnumDescriptor* descriptor, E value) {
  return EnumWords(descriptor, static_cast<int>(value));
}

template <typename E>
std::string WordList(const google::protobuf::EnumDescriptor* descriptor,
                      const google::protobuf::RepeatedField<int>& values) {
  std::vector<std::string> names;
  for (int value : values)
    names.push_back(Words(descriptor, static_cast<E>(value)));
  return absl::StrJoin(names, ", ");
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

// ": lawyer, legal advice" for a contact event: the partner kind and purpose that are set.
std::string ContactEventTail(const CaseEvent& event) {
  std::vector<std::string> parts;
  if (event.partner_kind() != consular::v1::PARTNER_KIND_UNSPECIFIED) {
    parts.push_back(Words(consular::v1::PartnerKind_descriptor(), event.partner_kind()));
  }
  if (event.contact_purpose() != consular::v1::CONTACT_PURPOSE_UNSPECIFIED) {
    parts.push_back(Words(consular::v1::ContactPurpose_descriptor(), event.contact_purpose()));
  }
  if (parts.empty()) return "";
  return absl::StrCat(": ", absl::StrJoin(parts, ", "));
}

}  // namespace

std::string FormatCase(const Case& c) {
  KeyValueBlock block;
  block.Add("Reference", c.reference());
  block.Add("ID", c.id());
  block.Add("Type", Words(consular::v1::CaseType_descriptor(), c.type()));
  block.Add("Status", Words(consular::v1::CaseStatus_descriptor(), c.status()));
  if (c.outcome() != consular::v1::OUTCOME_UNSPECIFIED) {
    block.Add("Outcome",
              Words(consular::v1::Outcome_descriptor(), c.outcome()));
  }
  block.Add("Post", c.handling_post());
  block.AddIfSet("Access", CaseAccessText(c.caller_access()));
  block.Add("Country", c.country());
  block.Add("Assigned to", c.assigned_to().empty() ? "nobody" : c.assigned_to());
  if (c.has_pending_referral()) {
    const consular::v1::Referral& r = c.pending_referral();
    block.Add("Referred", absl::StrCat("to ", r.to_unit(), " on ", FormatTimestamp(r.referred_at()),
                                       ", waiting for its answer (", r.id(), ")"));
  }
  block.Add("Version", absl::StrCat(c.version()));
  block.Add("Opened", FormatTimestamp(c.opened_at()));
  block.Add("Updated", FormatTimestamp(c.updated_at()));
  block.AddIfSet("Resolved", FormatTimestamp(c.resolved_at()));
  block.AddIfSet("Closed", FormatTimestamp(c.closed_at()));
  if (c.has_archive_action_date()) {
    block.Add("Archive date", FormatDate(c.archive_action_date()));
  }
  if (c.on_legal_hold()) block.Add("Legal hold", "yes: never destroyed while held");
  if (c.has_anonymised_at()) {
    // A tombstone: nothing personal is left to show.
    block.Add("Anonymised", absl::StrCat("on ", FormatTimestamp(c.anonymised_at()), " under list ",
                                         c.anonymised_under()));
    return block.Render();
  }

  const consular::v1::Subject& s = c.subject();
  block.Add("Name", s.full_name());
  block.Add("Date of birth", FormatDate(s.date_of_birth()));
  block.Add("Sex", Words(consular::v1::Sex_descriptor(), s.sex()));
  block.Add("Nationality", Words(consular::v1::NationalityStatus_descriptor(),
                                 s.nationality_status()));
  block.Add("Minor children", YesNo(s.has_minor_children()));
  block.Add("Risk flags",
            c.risk_flags().empty()
                ? "none"
                : WordList<consular::v1::RiskFlag>(
                      consular::v1::RiskFlag_descriptor(), c.risk_flags()));
  block.Add("Referral", Words(consular::v1::ReferralSource_descriptor(),
                              c.referral_source()));

  if (c.has_abandonment()) {
    const consular::v1::AbandonmentDetails& a = c.abandonment();
    block.AddIfSet("Left NL", FormatDate(a.left_netherlands_on()));
    block.AddIfSet("Reported", FormatDate(a.reported_on()));
    block.AddIfSet("Region", a.region());
    block.AddIfSet("Documents withheld",
                   WordList<consular::v1::WithheldDocument>(
                       consular::v1::WithheldDocument_descriptor(),
                       a.documents_withheld()));
    if (a.residence_permit_kind() != consular::v1::PERMIT_KIND_UNSPECIFIED) {
      block.Add("Permit kind",
                Words(consular::v1::PermitKind_descriptor(), a.residence_permit_kind()));
    }
    block.AddIfSet("Permit expires",
                   FormatDate(a.residence_permit_expires_on()));
    block.AddIfSet("Wishes", a.person_wishes());
    if (a.emergency_travel_document_issued()) block.Add("ETD issued", "yes");
    block.AddIfSet("Returned", FormatDate(a.returned_on()));
    const consular::v1::ReturnPlan& plan = a.return_plan();
    block.AddIfSet("Return planned", FormatDate(plan.planned_on()));
    block.AddIfSet("Return route", plan.route());
    block.AddIfSet("Escort", plan.escort());
    if (plan.funding() != consular::v1::RETURN_FUNDING_UNSPECIFIED) {
      std::string funding = Words(consular::v1::ReturnFunding_descriptor(), plan.funding());
      if (plan.loan_amount_cents() > 0) {
        absl::StrAppend(&funding, absl::StrFormat(" (EUR %d.%02d)", plan.loan_amount_cents() / 100,
                                                  plan.loan_amount_cents() % 100));
      }
      block.Add("Return paid by", funding);
    }
    if (plan.reception_arranged()) block.Add("Reception in NL", "arranged");
  }
  if (c.has_divorce_recognition()) {
    const consular::v1::DivorceRecognitionDetails& d = c.divorce_recognition();
    block.AddIfSet("Dutch divorce", FormatDate(d.dutch_divorce_on()));
    block.AddIfSet("Dutch court", d.dutch_court());
    if (d.proceedings_state() != consular::v1::PROCEEDINGS_STATE_UNSPECIFIED) {
      block.Add("Proceedings",
                Words(consular::v1::ProceedingsState_descriptor(),
                      d.proceedings_state()));
    }
    block.AddIfSet("Foreign court", d.foreign_court());
    block.AddIfSet("Court case no.", d.foreign_case_number());
    block.AddIfSet("Lawyer", d.lawyer_partner_id());
    block.AddIfSet(
        "Obstacles",
        WordList<consular::v1::RecognitionObstacle>(
            consular::v1::RecognitionObstacle_descriptor(), d.obstacles()));
    block.AddIfSet("Obstacle note", d.obstacle_note());
    if (d.decision() != consular::v1::RECOGNITION_DECISION_UNSPECIFIED) {
      block.Add(
          "Decision",
          Words(consular::v1::RecognitionDecision_descriptor(), d.decision()));
    }
    block.AddIfSet("Decided", FormatDate(d.decided_on()));
  }

  const consular::v1::Safety& safety = c.safety();
  block.AddIfSet("Safe channel", safety.safe_contact_channel());
  block.AddIfSet("Safe times", safety.safe_contact_times());
  if (safety.do_not_contact_family()) block.Add("Do not contact family", "yes");
  block.AddIfSet("Covert notes", safety.covert_notes());
  if (safety.covert_notes_shareable()) {
    block.Add("Covert notes shared", "yes (read-only readers see them)");
  }
  if (!safety.code_word().empty()) {
    block.Add("Code word", safety.code_word());
  } else if (safety.has_code_word()) {
    block.Add("Code word", "set (case get --reveal-code-word shows it; audited)");
  }
  std::string out = block.Render();
  if (!c.persons().empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const consular::v1::Person& p : c.persons()) {
      std::string marks;
      if (p.role() == consular::v1::PERSON_ROLE_CHILD) {
        marks = p.with_subject() ? "with her" : "not with her";
      }
      if (p.do_not_contact()) marks = marks.empty() ? "DO NOT CONTACT" : marks + ", DO NOT CONTACT";
      rows.push_back({Words(consular::v1::PersonRole_descriptor(), p.role()), p.full_name(),
                      FormatDate(p.date_of_birth()), p.nationality(), marks, p.id()});
    }
    absl::StrAppend(&out, "\nPersons:\n",
                    FormatTable({"ROLE", "NAME", "BORN", "NATIONALITY", "MARKS", "ID"}, rows));
  }
  if (!c.documents().empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const consular::v1::TravelDocument& d : c.documents()) {
      std::string holder = "the person";
      for (const consular::v1::Person& p : c.persons()) {
        if (p.id() == d.holder_person_id()) holder = p.full_name();
      }
      std::string status = Words(consular::v1::DocumentStatus_descriptor(), d.status());
      if (!d.withheld_by().empty()) absl::StrAppend(&status, " by ", d.withheld_by());
      rows.push_back({Words(consular::v1::TravelDocumentType_descriptor(), d.type()), holder,
                      d.number(), FormatDate(d.expires_on()), status, d.id()});
    }
    absl::StrAppend(&out, "\nTravel documents:\n",
                    FormatTable({"TYPE", "HOLDER", "NUMBER", "EXPIRES", "STATUS", "ID"}, rows));
  }
  if (!c.divorce_recognition().stages().empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const consular::v1::ProceedingsStep& step : c.divorce_recognition().stages()) {
      rows.push_back({FormatDate(step.on()),
                      Words(consular::v1::ProceedingsStage_descriptor(), step.stage()),
                      step.note(), step.id()});
    }
    absl::StrAppend(&out, "\nProceedings abroad:\n",
                    FormatTable({"DAY", "STEP", "NOTE", "ID"}, rows));
  }
  if (!c.possible_duplicates().empty()) {
    absl::StrAppend(&out, "\nPossible duplicates: the same person may have a case here\n",
                    FormatDuplicates(c.possible_duplicates()));
  }
  return out;
}

std::string FormatDuplicates(
    const google::protobuf::RepeatedPtrField<consular::v1::PossibleDuplicate>& duplicates) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::PossibleDuplicate& d : duplicates) {
    std::string match;
    switch (d.match()) {
      case consular::v1::DUPLICATE_MATCH_NAME_AND_BIRTH_DATE:
        match = "same name and date of birth";
        break;
      case consular::v1::DUPLICATE_MATCH_SIMILAR_NAME_AND_BIRTH_DATE:
        match = "similar name, same date of birth";
        break;
      default:
        match = "similar name";
    }
    rows.push_back({d.handling_unit(), match,
                    d.reference().empty() ? absl::StrCat("(ask ", d.handling_unit(), " for a share)")
                                          : d.reference()});
  }
  return absl::StrCat(FormatTable({"UNIT", "MATCH", "CASE"}, rows), duplicates.size(),
                      " possible duplicate(s)\n");
}

std::string FormatDeadlines(
    const google::protobuf::RepeatedPtrField<consular::v1::Deadline>& deadlines) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::Deadline& d : deadlines) {
    std::string left;
    if (d.passed()) {
      left = absl::StrCat("PASSED ", -d.days_left(), " day(s) ago");
    } else if (d.days_left() == 0) {
      left = "today";
    } else {
      left = absl::StrCat("in ", d.days_left(), " day(s)");
    }
    rows.push_back({FormatDate(d.due_on()), left,
                    d.warning_weeks() > 0 ? absl::StrCat(d.warning_weeks(), " week(s)") : "",
                    d.reference(), Words(consular::v1::DeadlineKind_descriptor(), d.kind()),
                    d.detail()});
  }
  return absl::StrCat(FormatTable({"DUE", "WHEN", "WARNING", "CASE", "KIND", "WHAT"}, rows),
                      deadlines.size(), " deadline(s)\n");
}

std::string FormatEmergencyHits(
    const google::protobuf::RepeatedPtrField<consular::v1::EmergencySearchHit>& hits) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::EmergencySearchHit& h : hits) {
    rows.push_back({h.reference(), h.handling_unit()});
  }
  return absl::StrCat(FormatTable({"REFERENCE", "UNIT"}, rows), hits.size(), " case(s)\n");
}

std::string FormatNote(const CaseNote& note) {
  KeyValueBlock block;
  block.Add("Note", note.id());
  block.Add("Case", note.case_id());
  block.Add("Author", note.author());
  block.Add("Post", note.author_post());
  block.Add("Created", FormatTimestamp(note.created_at()));
  block.Add("Text", note.text());
  return block.Render();
}

std::string FormatCaseList(
    const google::protobuf::RepeatedPtrField<Case>& cases) {
  std::vector<std::vector<std::string>> rows;
  for (const Case& c : cases) {
    rows.push_back({c.reference(),
                    Words(consular::v1::CaseType_descriptor(), c.type()),
                    Words(consular::v1::CaseStatus_descriptor(), c.status()),
                    c.handling_post(), c.country(),
                    FormatTimestamp(c.opened_at()), absl::StrCat(c.version())});
  }
  return absl::StrCat(FormatTable({"REFERENCE", "TYPE", "STATUS", "POST",
                                   "COUNTRY", "OPENED", "VERSION"},
                                  rows),
                      cases.size(), " case(s)\n");
}

std::string EventDetails(const CaseEvent& event) {
  const auto* status = consular::v1::CaseStatus_descriptor();
  switch (event.type()) {
    case consular::v1::CASE_EVENT_TYPE_CREATED:
      if (event.to_status() == consular::v1::CASE_STATUS_UNSPECIFIED)
        return "created";
      return absl::StrCat("created as ", Words(status, event.to_status()));
    case consular::v1::CASE_EVENT_TYPE_UPDATED:
      return absl::StrCat("changed: ",
                          absl::StrJoin(event.changed_fields(), ", "));
    case consular::v1::CASE_EVENT_TYPE_TRANSITIONED: {
      std::string out = absl::StrCat(Words(status, event.from_status()), kArrow,
                                     Words(status, event.to_status()));
      if (event.outcome() != consular::v1::OUTCOME_UNSPECIFIED) {
        absl::StrAppend(
            &out, " (",
            Words(consular::v1::Outcome_descriptor(), event.outcome()), ")");
      }
      if (!event.reason().empty()) absl::StrAppend(&out, ": ", event.reason());
      return out;
    }
    case consular::v1::CASE_EVENT_TYPE_NOTE_ADDED:
      return absl::StrCat("note ", event.note_id());
    case consular::v1::CASE_EVENT_TYPE_SHARED: {
      std::string out = absl::StrCat("shared with ", event.grantee());
      if (event.share_access() != consular::v1::SHARE_ACCESS_UNSPECIFIED) {
        absl::StrAppend(&out, " (",
                        Words(consular::v1::ShareAccess_descriptor(), event.share_access()), ")");
      }
      return out;
    }
    case consular::v1::CASE_EVENT_TYPE_SHARE_REVOKED:
      return absl::StrCat("share with ", event.grantee(), " revoked");
    case consular::v1::CASE_EVENT_TYPE_REFERRED:
      return absl::StrCat("referred ", event.from_unit(), kArrow, event.to_unit());
    case consular::v1::CASE_EVENT_TYPE_REFERRAL_PROPOSED:
      return absl::StrCat("referral to ", event.to_unit(), " waiting for its answer");
    case consular::v1::CASE_EVENT_TYPE_ASSIGNED:
      return event.assigned_to().empty() ? "assigned to nobody"
                                         : absl::StrCat("assigned to ", event.assigned_to());
    case consular::v1::CASE_EVENT_TYPE_CONTACT_LOGGED:
      return absl::StrCat("contact ", event.contact_id(), " logged", ContactEventTail(event));
    case consular::v1::CASE_EVENT_TYPE_CONTACT_UPDATED:
      return absl::StrCat("contact ", event.contact_id(), " changed", ContactEventTail(event));
    case consular::v1::CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED:
      return absl::StrCat("follow-up of contact ", event.contact_id(), " done",
                          ContactEventTail(event));
    default:
      return "";
  }
}

std::string FormatEvents(
    const google::protobuf::RepeatedPtrField<CaseEvent>& events) {
  std::vector<std::vector<std::string>> rows;
  for (const CaseEvent& e : events) {
    rows.push_back(
        {absl::StrCat(e.sequence()), FormatTimestamp(e.occurred_at()),
         Words(consular::v1::CaseEventType_descriptor(), e.type()), e.actor(),
         Words(consular::v1::Role_descriptor(), e.actor_role()),
         absl::StrCat(e.case_version()), EventDetails(e)});
  }
  return absl::StrCat(
      FormatTable(
          {"SEQ", "WHEN", "TYPE", "ACTOR", "ROLE", "VERSION", "DETAILS"}, rows),
      events.size(), " event(s)\n");
}

std::string FormatHistory(
    const google::protobuf::RepeatedPtrField<consular::v1::CaseHistoryEntry>& entries) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> texts;
  for (const consular::v1::CaseHistoryEntry& e : entries) {
    rows.push_back({absl::StrCat(e.sequence()), FormatTimestamp(e.changed_at()), e.actor(),
                    e.actor_post(), absl::StrCat(e.case_version())});
    std::vector<std::string> lines;
    for (const consular::v1::FieldChange& c : e.changes()) {
      if (c.withheld()) {
        lines.push_back(absl::StrCat(c.field(), ": changed (withheld from you)"));
      } else {
        lines.push_back(absl::StrCat(c.field(), ": ", c.old_value().empty() ? "(none)" : c.old_value(),
                                     " \u2192 ", c.new_value().empty() ? "(none)" : c.new_value()));
      }
    }
    if (!e.reason().empty()) lines.push_back(absl::StrCat("why: ", e.reason()));
    texts.push_back(absl::StrJoin(lines, "\n"));
  }
  return absl::StrCat(
      TableWithTextUnderRows({"SEQ", "WHEN", "ACTOR", "POST", "VERSION"}, rows, texts),
      entries.size(), " change(s)\n");
}

std::string FormatNotes(
    const google::protobuf::RepeatedPtrField<CaseNote>& notes) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> texts;
  for (const CaseNote& n : notes) {
    rows.push_back(
        {FormatTimestamp(n.created_at()), n.author(), n.author_post()});
    texts.push_back(n.text());
  }
  return absl::StrCat(TableWithTextUnderRows({"WHEN", "AUTHOR", "POST"}, rows, texts), notes.size(),
                      " note(s)\n");
}

std::string CaseAccessText(consular::v1::CaseAccess access) {
  switch (access) {
    case consular::v1::CASE_ACCESS_UNSPECIFIED:
    case consular::v1::CASE_ACCESS_HANDLING:
      return "";
    case consular::v1::CASE_ACCESS_SHARED_READ_WRITE:
      return "shared read-write";
    case consular::v1::CASE_ACCESS_SHARED_READ:
      return "shared read-only";
    case consular::v1::CASE_ACCESS_EMERGENCY:
      return "emergency (read-only, every call logged)";
    default:
      return Words(consular::v1::CaseAccess_descriptor(), access);
  }
}

std::string ShareState(const CaseShare& share) {
  if (share.has_revoked_at() || !share.revoked_by().empty()) return "revoked";
  return share.active() ? "active" : "expired";
}

std::string FormatShare(const CaseShare& share) {
  KeyValueBlock block;
  block.Add("Share", share.id());
  block.Add("Case", share.case_reference());
  block.Add("Case ID", share.case_id());
  block.Add("Grantee", share.grantee());
  block.Add("Access", Words(consular::v1::ShareAccess_descriptor(), share.access()));
  block.Add("Legal basis", share.legal_basis());
  block.Add("Granted by",
            share.granted_by_unit().empty()
                ? share.granted_by()
                : absl::StrCat(share.granted_by(), " (", share.granted_by_unit(), ")"));
  block.Add("Granted", FormatTimestamp(share.granted_at()));
  const std::string expires = FormatTimestamp(share.expires_at());
  block.Add("Expires", expires.empty() ? "never (until revoked)" : expires);
  if (share.has_revoked_at() || !share.revoked_by().empty()) {
    std::string revoked = FormatTimestamp(share.revoked_at());
    if (!share.revoked_by().empty()) {
      absl::StrAppend(&revoked, revoked.empty() ? "" : " ", "by ", share.revoked_by());
    }
    block.Add("Revoked", revoked);
  }
  block.Add("State", ShareState(share));
  return block.Render();
}

std::string FormatShares(const google::protobuf::RepeatedPtrField<CaseShare>& shares) {
  std::vector<std::vector<std::string>> rows;
  for (const CaseShare& s : shares) {
    rows.push_back({s.id(), s.grantee(), Words(consular::v1::ShareAccess_descriptor(), s.access()),
                    ShareState(s), FormatTimestamp(s.granted_at()), FormatTimestamp(s.expires_at()),
                    s.granted_by(), s.legal_basis()});
  }
  return absl::StrCat(
      FormatTable({"ID", "GRANTEE", "ACCESS", "STATE", "GRANTED", "EXPIRES", "BY", "BASIS"}, rows),
      shares.size(), " share(s)\n");
}

std::string EmergencyReviewText(consular::v1::EmergencyReview review) {
  if (review == consular::v1::EMERGENCY_REVIEW_UNSPECIFIED) return "unreviewed";
  return Words(consular::v1::EmergencyReview_descriptor(), review);
}

std::string FormatEmergencyAccess(const EmergencyAccess& grant) {
  KeyValueBlock block;
  block.Add("Emergency access", grant.id());
  block.Add("Case", grant.case_reference());
  block.Add("Case ID", grant.case_id());
  block.Add("Handling post", grant.handling_post());
  block.Add("Opened by", grant.actor());
  if (grant.actor_role() != consular::v1::ROLE_UNSPECIFIED) {
    block.Add("Role", Words(consular::v1::Role_descriptor(), grant.actor_role()));
  }
  block.AddIfSet("Unit", grant.actor_unit());
  block.Add("Reason", grant.reason());
  block.Add("Opened", FormatTimestamp(grant.opened_at()));
  block.Add("Expires", FormatTimestamp(grant.expires_at()));
  block.Add("State", grant.active() ? "active" : "expired");
  block.Add("Review", EmergencyReviewText(grant.review()));
  block.AddIfSet("Reviewed by", grant.reviewed_by());
  block.AddIfSet("Reviewed", FormatTimestamp(grant.reviewed_at()));
  return block.Render();
}

std::string FormatEmergencyAccessList(
    const google::protobuf::RepeatedPtrField<EmergencyAccess>& grants) {
  std::vector<std::vector<std::string>> rows;
  for (const EmergencyAccess& g : grants) {
    rows.push_back({g.id(), g.case_reference(), g.handling_post(), FormatTimestamp(g.opened_at()),
                    FormatTimestamp(g.expires_at()), g.actor(),
                    g.actor_role() == consular::v1::ROLE_UNSPECIFIED
                        ? ""
                        : Words(consular::v1::Role_descriptor(), g.actor_role()),
                    g.actor_unit(), g.active() ? "active" : "expired",
                    EmergencyReviewText(g.review())});
  }
  std::vector<std::string> reasons;
  for (const EmergencyAccess& g : grants) reasons.push_back(g.reason());
  return absl::StrCat(TableWithTextUnderRows({"ID", "CASE", "POST", "OPENED", "EXPIRES", "ACTOR",
                                              "ROLE", "UNIT", "STATE", "REVIEW"},
                                             rows, reasons),
                      grants.size(), " emergency access(es)\n");
}

std::string ContactCounterpart(const Contact& contact) {
  if (contact.has_ad_hoc()) {
    const consular::v1::AdHocContact& a = contact.ad_hoc();
    std::string out = a.name();
    if (!a.organisation().empty()) absl::StrAppend(&out, ", ", a.organisation());
    absl::StrAppend(&out, " (ad hoc)");
    return out;
  }
  return contact.partner_name().empty() ? contact.partner_id() : contact.partner_name();
}

std::string FormatPartner(const consular::v1::Partner& p) {
  KeyValueBlock block;
  block.Add("Partner", p.id());
  block.Add("Kind", Words(consular::v1::PartnerKind_descriptor(), p.kind()));
  block.Add("Name", p.name());
  block.Add("Country", p.country());
  block.Add("City", p.city());
  block.Add("Specialisms", p.specialisms().empty()
                               ? "none"
                               : WordList<consular::v1::Specialism>(
                                     consular::v1::Specialism_descriptor(), p.specialisms()));
  block.Add("Languages", absl::StrJoin(p.languages(), ", "));
  const consular::v1::PartnerContactDetails& d = p.contact_details();
  block.AddIfSet("Phone", d.phone());
  block.AddIfSet("Email", d.email());
  block.AddIfSet("Address", d.address());
  block.AddIfSet("Website", d.website());
  block.Add("Vetting", Words(consular::v1::VettingStatus_descriptor(), p.vetting_status()));
  block.AddIfSet("Vetting note", p.vetting_note());
  block.AddIfSet("Vetted by", p.vetted_by());
  block.AddIfSet("Vetted", FormatTimestamp(p.vetted_at()));
  block.Add("Active", YesNo(p.active()));
  block.AddIfSet("Deactivated", FormatTimestamp(p.deactivated_at()));
  block.AddIfSet("Deactivated by", p.deactivated_by());
  block.AddIfSet("Created by", p.created_by());
  block.Add("Created", FormatTimestamp(p.created_at()));
  block.Add("Updated", FormatTimestamp(p.updated_at()));
  block.Add("Version", absl::StrCat(p.version()));
  return block.Render();
}

std::string FormatPartnerList(
    const google::protobuf::RepeatedPtrField<consular::v1::Partner>& partners) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::Partner& p : partners) {
    rows.push_back({p.id(), Words(consular::v1::PartnerKind_descriptor(), p.kind()), p.name(),
                    p.country(), p.city(),
                    WordList<consular::v1::Specialism>(consular::v1::Specialism_descriptor(),
                                                        p.specialisms()),
                    absl::StrJoin(p.languages(), ","),
                    Words(consular::v1::VettingStatus_descriptor(), p.vetting_status()),
                    YesNo(p.active()), absl::StrCat(p.version())});
  }
  return absl::StrCat(FormatTable({"ID", "KIND", "NAME", "COUNTRY", "CITY", "SPECIALISMS",
                                   "LANGUAGES", "VETTING", "ACTIVE", "VERSION"},
                                  rows),
                      partners.size(), " partner(s)\n");
}

std::string FormatUnit(const consular::v1::Unit& unit) {
  KeyValueBlock block;
  block.Add("Unit", unit.code());
  block.Add("Kind", unit.kind() == consular::v1::UNIT_KIND_LKHA ? "LKHA" : "post");
  block.Add("Name", unit.name());
  block.AddIfSet("City", unit.city());
  block.Add("Country", unit.country());
  if (unit.kind() == consular::v1::UNIT_KIND_POST) {
    block.Add("Accredited to", unit.accredited_countries().empty()
                                   ? "none"
                                   : absl::StrJoin(unit.accredited_countries(), ", "));
  }
  block.Add("Active", unit.active() ? "yes" : absl::StrCat("no: ", unit.inactive_reason()));
  block.Add("Version", absl::StrCat(unit.version()));
  block.AddIfSet("Created by", unit.created_by());
  block.AddIfSet("Created", FormatTimestamp(unit.created_at()));
  block.AddIfSet("Updated by", unit.updated_by());
  block.AddIfSet("Updated", FormatTimestamp(unit.updated_at()));
  return block.Render();
}

std::string FormatUnitList(const google::protobuf::RepeatedPtrField<consular::v1::Unit>& units) {
  std::vector<std::vector<std::string>> rows;
  for (const consular::v1::Unit& u : units) {
    rows.push_back({u.code(), u.name(), u.city(), u.country(),
                    absl::StrJoin(u.accredited_countries(), ","), YesNo(u.active()),
                    absl::StrCat(u.version())});
  }
  return absl::StrCat(FormatTable({"CODE", "NAME", "CITY", "COUNTRY", "ACCREDITED TO", "ACTIVE",
                                   "VERSION"},
                                  rows),
                      units.size(), " unit(s)\n");
}

std::string FormatContact(const Contact& c) {
  KeyValueBlock block;
  block.Add("Contact", c.id());
  block.Add("Case", c.case_reference());
  block.Add("Case ID", c.case_id());
  block.AddIfSet("Country", c.country());
  block.Add("With", ContactCounterpart(c));
  if (c.has_ad_hoc()) {
    block.AddIfSet("Phone", c.ad_hoc().phone());
    block.AddIfSet("Email", c.ad_hoc().email());
  } else {
    block.AddIfSet("Partner ID", c.partner_id());
  }
  block.Add("Kind", Words(consular::v1::PartnerKind_descriptor(), c.partner_kind()));
  block.Add("When", FormatTimestamp(c.occurred_at()));
  block.Add("Channel", Words(consular::v1::ContactChannel_descriptor(), c.channel()));
  block.Add("Direction", Words(consular::v1::ContactDirection_descriptor(), c.direction()));
  block.Add("Purpose", Words(consular::v1::ContactPurpose_descriptor(), c.purpose()));
  block.Add("Outcome", Words(consular::v1::ContactOutcome_descriptor(), c.outcome()));
  block.AddIfSet("Follow-up", FormatDate(c.follow_up_due()));
  if (c.has_follow_up_done_at() || !c.follow_up_done_by().empty()) {
    std::string done = FormatTimestamp(c.follow_up_done_at());
    if (!c.follow_up_done_by().empty()) {
      absl::StrAppend(&done, done.empty() ? "" : " ", "by ", c.follow_up_done_by());
    }
    block.Add("Follow-up done", done);
  }
  block.AddIfSet("Note", c.note());
  block.Add("Logged by", c.logged_by_unit().empty()
                             ? c.logged_by()
                             : absl::StrCat(c.logged_by(), " (", c.logged_by_unit(), ")"));
  block.Add("Version", absl::StrCat(c.version()));
  return block.Render();
}

std::string FormatContactList(const google::protobuf::RepeatedPtrField<Contact>& contacts) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
  for (const Contact& c : contacts) {
    std::string follow_up = FormatDate(c.follow_up_due());
    if (!follow_up.empty() && c.has_follow_up_done_at()) absl::StrAppend(&follow_up, " (done)");
    rows.push_back({FormatTimestamp(c.occurred_at()), c.case_reference(), ContactCounterpart(c),
                    Words(consular::v1::PartnerKind_descriptor(), c.partner_kind()),
                    Words(consular::v1::ContactChannel_descriptor(), c.channel()),
                    Words(consular::v1::ContactDirection_descriptor(), c.direction()),
                    Words(consular::v1::ContactPurpose_descriptor(), c.purpose()),
                    Words(consular::v1::ContactOutcome_descriptor(), c.outcome()), follow_up,
                    c.id(), absl::StrCat(c.version())});
    notes.push_back(c.note());
  }
  return absl::StrCat(
      TableWithTextUnderRows({"WHEN", "CASE", "WITH", "KIND", "CHANNEL", "DIRECTION", "PURPOSE",
                              "OUTCOME", "FOLLOW-UP", "ID", "VERSION"},
                             rows, notes),
      contacts.size(), " contact(s)\n");
}

std::string OverdueText(const consular::v1::FollowUpDue& follow_up) {
  if (!follow_up.overdue()) return "";
  return absl::StrCat("OVERDUE ", follow_up.days_overdue(),
                      follow_up.days_overdue() == 1 ? " day" : " days");
}

std::string FormatFollowUps(
    const google::protobuf::RepeatedPtrField<consular::v1::FollowUpDue>& follow_ups) {
  std::vector<std::vector<std::string>> rows;
  int overdue = 0;
  for (const consular::v1::FollowUpDue& f : follow_ups) {
    const Contact& c = f.contact();
    if (f.overdue()) ++overdue;
    rows.push_back({FormatDate(c.follow_up_due()), OverdueText(f), c.case_reference(),
                    ContactCounterpart(c),
                    Words(consular::v1::ContactPurpose_descriptor(), c.purpose()), c.id(),
                    absl::StrCat(c.version())});
  }
  return absl::StrCat(
      FormatTable({"DUE", "OVERDUE", "CASE", "WITH", "PURPOSE", "CONTACT", "VERSION"}, rows),
      follow_ups.size(), " follow-up(s), ", overdue, " overdue\n");
}

}  // namespace consular::ctl
