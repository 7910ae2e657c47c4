#pragma once

#include <cstdint>
#include <string>

#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "tools/loadgen/case_content.h"

// Fictional free text and contact details for consular-datagen, on top of the load generator's
// case content (tools/loadgen/case_content.h). Every name is composed, every phone number random
// digits, every address and e-mail address on example.org: no real person or organisation.
namespace consular::datagen {

using ContentRng = loadgen::Rng;

// An rng for one item: depends only on `seed` and `key` (e.g. a row's index).
ContentRng ItemRng(uint64_t seed, uint64_t key);

// A fictional full name for a person of `sex` ("Amal El Karouri").
std::string FictionalName(ContentRng& rng, consular::v1::Sex sex);

// The reason an officer gives for moving a case from `from` to `to`.
std::string TransitionReason(ContentRng& rng, consular::v1::CaseStatus from,
                             consular::v1::CaseStatus to);

// The note of a logged contact about `purpose` (one sentence).
std::string ContactNoteText(ContentRng& rng, consular::v1::ContactPurpose purpose);

// A counterpart who is not in the partner directory, in `country`.
consular::v1::AdHocContact AdHocCounterpart(ContentRng& rng, const std::string& country);

// The city a post is in, from its code: "ADDIS-ABABA" -> "Addis Ababa".
std::string CityOfPost(const std::string& post);

// A fictional name for a directory partner of `kind` in `city` ("Cabinet Karouri", "Addis Ababa
// Women's Refuge"); composed like FictionalName, so that no real organisation is named.
std::string PartnerName(ContentRng& rng, consular::v1::PartnerKind kind, const std::string& city);

// The contact details of directory partner `number` of `kind` in `country`, its office in `city`.
consular::v1::PartnerContactDetails PartnerDetails(ContentRng& rng, const std::string& country,
                                                   const std::string& city,
                                                   consular::v1::PartnerKind kind, int number);

// The note a post writes when it vets a partner.
std::string VettingNote(ContentRng& rng);

}  // namespace consular::datagen
