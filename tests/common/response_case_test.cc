// CaseIdOfResponse: which case an idempotency record's stored response is about.
#include "services/common/response_case.h"

#include <gtest/gtest.h>

#include "consular/v1/cases.pb.h"
#include "consular/v1/contacts.pb.h"
#include "consular/v1/statistics.pb.h"

namespace consular {
namespace {

constexpr char kCaseId[] = "0b8a6f1e-3c2d-4e5f-8a9b-1c2d3e4f5a6b";

TEST(ResponseCaseTest, ACaseIsNamedByItsId) {
  v1::Case c;
  c.set_id(kCaseId);
  c.set_reference("ABN-2026-00001");
  EXPECT_EQ(CaseIdOfResponse(c), kCaseId);
}

TEST(ResponseCaseTest, OtherResponsesAreNamedByTheirTopLevelCaseId) {
  v1::CaseNote note;
  note.set_id("11111111-2222-4333-8444-555555555555");
  note.set_case_id(kCaseId);
  EXPECT_EQ(CaseIdOfResponse(note), kCaseId);
  v1::Contact contact;
  contact.set_case_id(kCaseId);
  EXPECT_EQ(CaseIdOfResponse(contact), kCaseId);
  v1::EmergencyAccess access;
  access.set_case_id(kCaseId);
  EXPECT_EQ(CaseIdOfResponse(access), kCaseId);
}

TEST(ResponseCaseTest, NoCaseNoUuidOrAnEmptyCaseGivesNothing) {
  v1::Release release;  // statistics: no case field at all
  EXPECT_EQ(CaseIdOfResponse(release), "");
  v1::Case without_id;
  EXPECT_EQ(CaseIdOfResponse(without_id), "");
  v1::CaseNote by_reference;
  by_reference.set_case_id("ABN-2026-00001");  // never stored in a uuid column
  EXPECT_EQ(CaseIdOfResponse(by_reference), "");
}

}  // namespace
}  // namespace consular
