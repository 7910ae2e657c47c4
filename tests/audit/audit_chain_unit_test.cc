// The canonical row encoding and the chain hash, without a database.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "storage/audit_chain.h"

namespace consular::storage {
namespace {

AuditEventRow SampleRow() {
  AuditEventRow row;
  row.id = 42;
  row.occurred_at_micros = 1767225600123456;  // 2026-01-01T00:00:00.123456Z
  row.actor = "officer-1";
  row.actor_role = "CONSULAR_OFFICER";
  row.actor_post = "RABAT";
  row.action = "CaseService.GetCase";
  row.case_id = "0b7c1f3e-1d2a-4c5b-9e8f-1234567890ab";
  row.outcome = "OK";
  row.emergency = true;
  return row;
}

// Computed independently (Python hashlib) from the format described in audit_chain.h and
// docs/audit.md: a verifier written elsewhere must get the same hashes.
TEST(AuditChainHashTest, MatchesTheDocumentedFormat) {
  const std::string row = CanonicalAuditRow(SampleRow());
  const std::string first = AuditChainHash(std::string(32, '\0'), 1, row);
  EXPECT_EQ(absl::BytesToHexString(first),
            "19de4b8728c203b5206f47e42e4c2a712f9725baae94614d7274a4e8ca2e3993");
  EXPECT_EQ(absl::BytesToHexString(AuditChainHash(first, 2, row)),
            "29b4938dd4ccc22f9ac0b6d912d697c8af13ba25ad1b1081136fe26ab07ad56e");
}

// The cases a search returned (migration 0020) are appended only when set: rows without them hash
// as before, so the chain written before the column existed still verifies.
TEST(AuditChainHashTest, ReturnedCasesAreAppendedOnlyWhenSet) {
  AuditEventRow row = SampleRow();
  row.returned_case_ids =
      "0b7c1f3e-1d2a-4c5b-9e8f-1234567890ab,11111111-2222-4333-8444-555555555555";
  EXPECT_EQ(absl::BytesToHexString(AuditChainHash(std::string(32, '\0'), 1, CanonicalAuditRow(row))),
            "7d9efc4c0bb0d5dcab1390ec3512bdc58f55604c0b665b4e58d6135f77ac53e5");
  EXPECT_EQ(CanonicalAuditRow(SampleRow()).size() + 1 + 4 + row.returned_case_ids->size(),
            CanonicalAuditRow(row).size());
}

TEST(AuditChainHashTest, FieldBoundariesAreUnambiguous) {
  AuditEventRow a = SampleRow();
  AuditEventRow b = SampleRow();
  a.actor = "ab";
  a.actor_role = "c";
  b.actor = "a";
  b.actor_role = "bc";
  EXPECT_NE(CanonicalAuditRow(a), CanonicalAuditRow(b));
}

TEST(AuditChainHashTest, NullDiffersFromEmpty) {
  AuditEventRow a = SampleRow();
  AuditEventRow b = SampleRow();
  a.purpose = std::nullopt;
  b.purpose = "";
  EXPECT_NE(CanonicalAuditRow(a), CanonicalAuditRow(b));
}

TEST(AuditChainHashTest, EveryColumnCounts) {
  const std::string base = CanonicalAuditRow(SampleRow());
  auto changed = [&](auto mutate) {
    AuditEventRow row = SampleRow();
    mutate(row);
    return CanonicalAuditRow(row) != base;
  };
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.id = 43; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.occurred_at_micros += 1; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.actor = "officer-2"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.actor_role = "POST_MANAGER"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.actor_post = "TUNIS"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.action = "CaseService.ListCases"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.case_id = std::nullopt; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.purpose = "review"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.outcome = "NOT_FOUND"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.emergency = false; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.correlation_id = "abc"; }));
  EXPECT_TRUE(changed([](AuditEventRow& r) { r.returned_case_ids = "a"; }));
}

TEST(AuditChainHashTest, HashDependsOnPreviousHashAndSeq) {
  const std::string row = CanonicalAuditRow(SampleRow());
  const std::string zero(32, '\0');
  std::string other(32, '\0');
  other[31] = '\1';
  EXPECT_EQ(AuditChainHash(zero, 1, row).size(), 32u);
  EXPECT_NE(AuditChainHash(zero, 1, row), AuditChainHash(other, 1, row));
  EXPECT_NE(AuditChainHash(zero, 1, row), AuditChainHash(zero, 2, row));
}

}  // namespace
}  // namespace consular::storage
