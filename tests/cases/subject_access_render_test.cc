// The subject-access export's rendering, without a database: what is kept, what is withheld and
// why, and that no value can break out of the page.
#include "services/cases/subject_access_render.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace consular::cases {
namespace {

consular::v1::Case HostileCase() {
  consular::v1::Case c;
  c.set_id("0b7c2a8e-1111-4222-8333-444455556666");
  c.set_reference("ABN-2026-00042");
  c.set_type(consular::v1::CASE_TYPE_ABANDONMENT);
  c.set_status(consular::v1::CASE_STATUS_ACTIVE);
  c.set_handling_post("RABAT");
  c.set_country("MA");
  c.mutable_subject()->set_full_name("Amina <script>alert(1)</script> & \"Co\"");
  c.mutable_safety()->set_safe_contact_channel("<img src=x onerror=alert(2)>");
  c.mutable_safety()->set_covert_notes("secret covert text");
  c.mutable_safety()->set_code_word("secretword");
  consular::v1::Person* p = c.add_persons();
  p->set_id("6f1c1c52-5f0e-4b7a-9a53-0c4a4c2b1f00");
  p->set_full_name("Third Party Name");
  consular::v1::TravelDocument* own = c.add_documents();
  own->set_type(consular::v1::TRAVEL_DOCUMENT_TYPE_PASSPORT);
  own->set_number("OWN123");
  own->set_status(consular::v1::DOCUMENT_STATUS_WITHHELD);
  own->set_withheld_by("the husband");
  consular::v1::TravelDocument* other = c.add_documents();
  other->set_holder_person_id(p->id());
  other->set_number("OTHER456");
  c.mutable_abandonment()->mutable_return_plan()->set_escort("Escort Name");
  return c;
}

consular::v1::SubjectAccessRequest Request(const std::string& language) {
  consular::v1::SubjectAccessRequest r;
  r.set_id("11111111-2222-4333-8444-555555555555");
  r.set_language(language);
  return r;
}

TEST(SubjectAccessRenderTest, KeepsHerDataWithholdsTheRestAndSaysWhy) {
  consular::v1::CaseNote note;
  note.set_author("officer-rabat");
  note.set_text("note <b>text</b>");
  consular::v1::Contact contact;
  contact.mutable_ad_hoc()->set_name("Counterpart Name");
  contact.set_note("contact note");
  contact.set_purpose(consular::v1::CONTACT_PURPOSE_SHELTER);
  const consular::v1::SubjectAccessContent content = BuildSubjectAccessContent(
      Request("en"), HostileCase(), {note}, {contact}, google::protobuf::Timestamp());
  ASSERT_EQ(content.documents_size(), 1);
  EXPECT_EQ(content.documents(0).number(), "OWN123");
  EXPECT_TRUE(content.documents(0).withheld_by().empty());
  EXPECT_TRUE(content.abandonment().return_plan().escort().empty());
  ASSERT_EQ(content.notes_size(), 1);
  ASSERT_EQ(content.contacts_size(), 1);
  EXPECT_EQ(content.contacts(0).purpose(), consular::v1::CONTACT_PURPOSE_SHELTER);

  const std::string json = RenderSubjectAccessJson(content);
  const std::string html = RenderSubjectAccessHtml(content);
  // An open case: no day of resolving or closing, rather than 1970.
  EXPECT_FALSE(content.has_resolved_at());
  EXPECT_FALSE(content.has_closed_at());
  EXPECT_FALSE(absl::StrContains(json, "resolved_at")) << json;
  EXPECT_FALSE(absl::StrContains(json, "closed_at")) << json;
  for (const std::string* text : {&json, &html}) {
    for (const char* absent :
         {"secret covert text", "secretword", "Third Party Name", "OTHER456", "the husband",
          "Escort Name", "Counterpart Name", "contact note", "officer-rabat"}) {
      EXPECT_FALSE(absl::StrContains(*text, absent)) << absent;
    }
  }
  // Each withheld kind is named with its ground.
  // Covert notes, code word, persons, their documents, who withholds hers, the escort, the
  // contacts' counterparts, their notes, staff names (no lawyer on an abandonment case).
  EXPECT_EQ(content.withheld_size(), 9);
  EXPECT_TRUE(absl::StrContains(content.withheld(0).ground(), "art. 41(1)(i) UAVG"));
  EXPECT_TRUE(absl::StrContains(content.withheld(2).ground(), "GDPR art. 15(4)"));
  EXPECT_EQ(content.withheld(2).count(), 1);  // one person
}

TEST(SubjectAccessRenderTest, NoValueBreaksOutOfThePage) {
  const consular::v1::SubjectAccessContent content = BuildSubjectAccessContent(
      Request("en"), HostileCase(), {}, {}, google::protobuf::Timestamp());
  const std::string html = RenderSubjectAccessHtml(content);
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  EXPECT_FALSE(absl::StrContains(html, "<img"));
  EXPECT_TRUE(
      absl::StrContains(html, "Amina &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"));
  EXPECT_TRUE(absl::StrContains(html, "&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_TRUE(absl::StrContains(html, "default-src 'none'"));
}

TEST(SubjectAccessRenderTest, DutchLabelsAndGrounds) {
  const consular::v1::SubjectAccessContent content = BuildSubjectAccessContent(
      Request("nl"), HostileCase(), {}, {}, google::protobuf::Timestamp());
  const std::string html = RenderSubjectAccessHtml(content);
  EXPECT_TRUE(absl::StrContains(html, "<html lang=\"nl\">"));
  EXPECT_TRUE(absl::StrContains(html, "Uw gegevens in dossier ABN-2026-00042"));
  EXPECT_TRUE(absl::StrContains(html, "achterlating"));
  EXPECT_TRUE(absl::StrContains(html, "ingehouden door een ander"));
  EXPECT_TRUE(absl::StrContains(html, "gegevens van derden: art. 15 lid 4 AVG"));
  EXPECT_FALSE(absl::StrContains(html, "Your travel documents"));
}

}  // namespace
}  // namespace consular::cases
