#pragma once

#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "google/protobuf/repeated_field.h"
#include "tools/consularctl/text_layout.h"  // FormatTable

namespace consular::ctl {

// Human-readable output of consularctl. Every function returns text ending in a
// newline. Dates are YYYY-MM-DD, timestamps RFC 3339 UTC to the second, enums
// without their prefix.

// A key/value block: identity, status, subject, flags, referral, and the
// details and safety fields that are set. "Access:" (CaseAccessText) follows
// "Post:" when the caller does not reach the case as its handling unit.
std::string FormatCase(const consular::v1::Case& c);

// Table REFERENCE TYPE STATUS POST COUNTRY OPENED VERSION and a last line "N
// case(s)".
std::string FormatCaseList(
    const google::protobuf::RepeatedPtrField<consular::v1::Case>& cases);

// The DETAILS column of the events table: "intake→active: reason", "changed: a,
// b", "note <id>", "created as intake", "shared with LKHA (read)", "share of LKHA
// revoked", "referred LKHA→RABAT", "contact <id> logged: lawyer, legal advice",
// "contact <id> changed: ...", "follow-up of contact <id> done: ...".
std::string EventDetails(const consular::v1::CaseEvent& event);

// Table SEQ WHEN TYPE ACTOR ROLE VERSION DETAILS and a last line "N event(s)".
// Possible duplicates: unit, how it matched, and the reference when the caller may read it.
std::string FormatDuplicates(
    const google::protobuf::RepeatedPtrField<consular::v1::PossibleDuplicate>& duplicates);
// A unit's deadlines, most urgent first: day, how far (or PASSED), the warning reached, case,
// kind and what it is.
std::string FormatDeadlines(
    const google::protobuf::RepeatedPtrField<consular::v1::Deadline>& deadlines);
// The hits of an emergency search: reference and handling unit.
std::string FormatEmergencyHits(
    const google::protobuf::RepeatedPtrField<consular::v1::EmergencySearchHit>& hits);
// The field history of a case: per change, who, when and the version, then each field's old and
// new value (or that it is withheld) and why.
std::string FormatHistory(
    const google::protobuf::RepeatedPtrField<consular::v1::CaseHistoryEntry>& entries);
std::string FormatEvents(
    const google::protobuf::RepeatedPtrField<consular::v1::CaseEvent>& events);

// Per note a WHEN AUTHOR POST row followed by the note's text indented, and a
// last line "N note(s)".
std::string FormatNotes(
    const google::protobuf::RepeatedPtrField<consular::v1::CaseNote>& notes);

// A key/value block for one note: ID, Case, Author, Post, Created, Text.
std::string FormatNote(const consular::v1::CaseNote& note);

// How the caller reaches a case, for people: "shared read-write", "shared read-only", "emergency
// (read-only)". Empty for HANDLING and UNSPECIFIED (the caller's own unit's case, or a server that
// does not say), which FormatCase then leaves out.
std::string CaseAccessText(consular::v1::CaseAccess access);

// The state of a share at the time of the call: "revoked" if revoked, else "active" or "expired"
// as the server's `active` says.
std::string ShareState(const consular::v1::CaseShare& share);

// A key/value block for one share: Share, Case, Case ID, Grantee, Access, Legal basis, Granted by,
// Granted, Expires ("never (until revoked)" if unset), Revoked (if revoked), State.
std::string FormatShare(const consular::v1::CaseShare& share);

// Table ID GRANTEE ACCESS STATE GRANTED EXPIRES BY BASIS (STATE as ShareState, EXPIRES "-" for
// until revoked, BY the granting subject) and a last line "N share(s)".
std::string FormatShares(const google::protobuf::RepeatedPtrField<consular::v1::CaseShare>& shares);

// The review of an emergency access: "justified", "not justified", or "unreviewed".
std::string EmergencyReviewText(consular::v1::EmergencyReview review);

// A key/value block for one emergency access: Emergency access, Case, Case ID, Handling post,
// Opened by, Role, Unit, Reason, Opened, Expires, State (active or expired), Review, and who
// reviewed it when.
std::string FormatEmergencyAccess(const consular::v1::EmergencyAccess& grant);

// Table ID CASE POST OPENED EXPIRES ACTOR ROLE UNIT STATE REVIEW (POST the unit handling the case
// when it was opened, UNIT the opener's), each row followed by its reason indented, and a last line
// "N emergency access(es)".
std::string FormatEmergencyAccessList(
    const google::protobuf::RepeatedPtrField<consular::v1::EmergencyAccess>& grants);

// Who a contact was with: the directory partner's name (its id if the name is missing), or an
// ad-hoc contact as "<name>, <organisation> (ad hoc)".
std::string ContactCounterpart(const consular::v1::Contact& contact);

// A key/value block for one partner: Partner (id), Kind, Name, Country, City, Specialisms,
// Languages, the contact details that are set, Vetting with its note, who and when, Active (and
// when and by whom it was deactivated), Created, Updated, Version.
std::string FormatPartner(const consular::v1::Partner& partner);

// Table ID KIND NAME COUNTRY CITY SPECIALISMS LANGUAGES VETTING ACTIVE VERSION and a last line
// "N partner(s)".
std::string FormatPartnerList(
    const google::protobuf::RepeatedPtrField<consular::v1::Partner>& partners);

// A unit of the register (a post or LKHA), and the register as a table.
std::string FormatUnit(const consular::v1::Unit& unit);
std::string FormatUnitList(const google::protobuf::RepeatedPtrField<consular::v1::Unit>& units);

// A key/value block for one contact: Contact (id), Case, Case ID, Country, With (the
// counterpart), Partner ID or the ad-hoc details, Kind, When, Channel, Direction, Purpose,
// Outcome, Follow-up (due date; "done <time> by <who>" once completed), Note, Logged by, Version.
std::string FormatContact(const consular::v1::Contact& contact);

// Table WHEN CASE WITH KIND CHANNEL DIRECTION PURPOSE OUTCOME FOLLOW-UP ID VERSION (FOLLOW-UP the
// due date, "(done)" added once completed), each row followed by its note indented if it has one,
// and a last line "N contact(s)".
std::string FormatContactList(
    const google::protobuf::RepeatedPtrField<consular::v1::Contact>& contacts);

// The OVERDUE column of the follow-ups table: "OVERDUE 3 days", "OVERDUE 1 day", or "" when not
// overdue.
std::string OverdueText(const consular::v1::FollowUpDue& follow_up);

// Table DUE OVERDUE CASE WITH PURPOSE CONTACT VERSION in the server's order (overdue first) and a
// last line "N follow-up(s), M overdue".
std::string FormatFollowUps(
    const google::protobuf::RepeatedPtrField<consular::v1::FollowUpDue>& follow_ups);

}  // namespace consular::ctl
