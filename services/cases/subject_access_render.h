#pragma once

#include <string>
#include <vector>

#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "consular/v1/exports.pb.h"

// The subject-access export (GDPR art. 15): what of a case is the person's own data, what is
// withheld and on which ground, and how it is shown to her: a self-contained HTML page with Dutch
// or English labels (no scripts, no external resources, every value escaped) and JSON.
namespace consular::cases {

// The content of the export of request `request` about case `c`, with its notes (oldest first)
// and the contacts of its contact log, produced at `produced_at`. Keeps the subject, her own
// travel documents, the type's details, dates, status, outcome, the safe-contact details, the
// note texts and the contacts' dates, channel, purpose and outcome. Leaves out, and lists in
// `withheld` with its ground: covert notes and the code word (protection of the person), the
// persons on the case and their documents, who withholds her documents, the escort of her
// return, the lawyer from the directory, the contacts' counterparts and notes (third parties),
// and the staff who wrote notes or logged contacts.
consular::v1::SubjectAccessContent BuildSubjectAccessContent(
    const consular::v1::SubjectAccessRequest& request, const consular::v1::Case& c,
    const std::vector<consular::v1::CaseNote>& notes,
    const std::vector<consular::v1::Contact>& contacts,
    const google::protobuf::Timestamp& produced_at);

// The page in the content's language ("nl" or "en"; English for anything else).
std::string RenderSubjectAccessHtml(const consular::v1::SubjectAccessContent& content);

// The content as JSON (protobuf's JSON mapping, field names as in exports.proto).
std::string RenderSubjectAccessJson(const consular::v1::SubjectAccessContent& content);


}  // namespace consular::cases
