#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into corpus/<target>/seed-*.

Run from anywhere: python3 tests/fuzz/make_seeds.py. Needs protoc (protobuf-compiler) and, for the
token seeds, python3-cryptography. Inputs the fuzzers found (crash-*) are kept, never rewritten.
Each target's first byte(s) pick what is checked: see the comment at the top of <target>_fuzz.cc.
"""
import base64
import json
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"

# The key of token_verifier_fuzz.cc (used by that fuzz target only).
PRIVATE_KEY_PEM = b"""-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUQd7sKiW2YxyruVS
5MU6gNtei6fEAQ1KaLbpj9S+CT+hRANCAAQecyXgn1rCrdKhn8fB91vPCxPiWPK/
SglniTvJwcBvj9l8NE01hKPezwoUnp9PSEdxCnFqlQMiqHwxFlJCdjxd
-----END PRIVATE KEY-----
"""
PUBLIC_KEY_PEM = b"""-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHnMl4J9awq3SoZ/HwfdbzwsT4ljy
v0oJZ4k7ycHAb4/ZfDRNNYSj3s8KFJ6fT0hHcQpxapUDIqh8MRZSQnY8XQ==
-----END PUBLIC KEY-----
"""
NOW = 1767225600  # the token verifier fuzz target's clock


def encode(message_type, text):
    """The binary wire form of a text-format message (of consular.v1 unless the name has a dot)."""
    full_name = message_type if "." in message_type else f"consular.v1.{message_type}"
    return subprocess.run(
        ["protoc", f"-I{ROOT / 'proto'}", "-I/usr/include", f"--encode={full_name}"]
        + [str(p.relative_to(ROOT / "proto")) for p in (ROOT / "proto/consular/v1").glob("*.proto")],
        input=text.encode(), capture_output=True, check=True, cwd=ROOT / "proto").stdout


def write(target, seeds):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for name, data in seeds.items():
        (folder / f"seed-{name}").write_bytes(data)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def token(header, claims):
    claims = {k: v for k, v in claims.items() if v is not None}
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    key = serialization.load_pem_private_key(PRIVATE_KEY_PEM, None)
    signing_input = b64url(json.dumps(header).encode()) + b"." + b64url(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return signing_input + b"." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


OFFICER = {"iss": "consular-dev", "aud": "consular", "sub": "officer-1", "iat": NOW - 60,
           "exp": NOW + 3600, "role": "CONSULAR_OFFICER", "post": "RABAT"}
ES256 = {"alg": "ES256", "typ": "JWT"}
CRIT = b'{"alg":"ES256","crit":["exp"]}'

write("token_verifier", {
    "valid-officer": b"\x00" + token(ES256, OFFICER),
    "valid-policy-staff": b"\x00" + token(ES256, {**OFFICER, "role": "POLICY_STAFF", "post": None}),
    "expired": b"\x00" + token(ES256, {**OFFICER, "exp": NOW - 3600, "iat": NOW - 7200}),
    "alg-none": b"\x00" + b64url(b'{"alg":"none"}') + b"." + b64url(json.dumps(OFFICER).encode()) + b".",
    "garbage": b"\x00not.a.token",
    "signed-claims": b"\x01\x00" + json.dumps(OFFICER).encode(),
    "signed-no-post": b"\x01\x00" + json.dumps({k: v for k, v in OFFICER.items() if k != "post"}).encode(),
    "signed-aud-list": b"\x01\x00" + json.dumps({**OFFICER, "aud": ["x", "consular"], "nbf": NOW}).encode(),
    "signed-header-crit": b"\x01" + bytes([len(CRIT)]) + CRIT + json.dumps(OFFICER).encode(),
})

write("page_token", {
    "roundtrip-cases": b"\x01\x05cases\x05RABAT2026-01-01T00:00:00Z|0b7c1f3e-1d2a-4c5b-9e8f-1234567890ab",
    "roundtrip-talks": b"\x01\x05talks\x02MA2026-03-01|3c9a0000-0000-4000-8000-000000000001",
    "roundtrip-empty": b"\x01\x00\x00",
    "decode-garbage": b"\x00\x05cases\x05RABAT\x02AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "decode-not-base64": b"\x00\x05cases\x00\x02!!!",
})

write("validation", {
    "text-ok": b"\x00\x20\x01Spoke with the lawyer in Rabat\n\tnext week",
    "text-bad-utf8": b"\x00\x20\x00\xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80",
    "text-control": b"\x00\x20\x01abc\x01def",
    "text-long": b"\x00\x05\x00\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
    "dates": b"\x01\x00\x00\xea\x07\x00\x00\x02\x1d\xea\x07\x00\x00\x03\x01",
    "dates-leap": b"\x01\x00\x01\xe8\x07\x00\x00\x02\x1d\xe9\x07\x00\x00\x0c\x1f",
    "country-ma": b"\x02\x00\x00MA",
    "country-xx": b"\x02\x00\x00XX",
})

VALID_CASE = """
type: CASE_TYPE_ABANDONMENT country: "MA"
subject { full_name: "Amina Example" sex: SEX_FEMALE nationality_status: NATIONALITY_STATUS_DUAL
          date_of_birth { year: 1990 month: 5 day: 17 } }
risk_flags: RISK_FLAG_PASSPORT_WITHHELD risk_flags: RISK_FLAG_FORCED_MARRIAGE
referral_source: REFERRAL_SOURCE_FAMILY
abandonment { left_netherlands_on { year: 2025 month: 7 day: 1 } region: "Rif"
              documents_withheld: WITHHELD_DOCUMENT_PASSPORT person_wishes: "Return to Utrecht" }
safety { safe_contact_channel: "+212 600 000000" do_not_contact_family: true }
"""
DIVORCE_CASE = """
type: CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION country: "TR"
subject { full_name: "Samira Example" sex: SEX_FEMALE nationality_status: NATIONALITY_STATUS_DUTCH_ONLY }
referral_source: REFERRAL_SOURCE_SELF
divorce_recognition { dutch_divorce_on { year: 2020 month: 2 day: 29 } proceedings_state: PROCEEDINGS_STATE_DECIDED
                      obstacles: RECOGNITION_OBSTACLE_COST decision: RECOGNITION_DECISION_GRANTED
                      decided_on { year: 2026 month: 1 day: 5 } }
"""
write("case_rules", {
    "case-abandonment": b"\x00" + encode("Case", VALID_CASE),
    "case-divorce": b"\x00" + encode("Case", DIVORCE_CASE),
    "case-mismatched-details": b"\x00" + encode("Case", VALID_CASE.replace("CASE_TYPE_ABANDONMENT", "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION")),
    "case-future-birth": b"\x00" + encode("Case", VALID_CASE.replace("year: 1990", "year: 2090")),
    "request-id": b"\x01lg-0123456789abcdef-3-17",
    "request-id-space": b"\x01has space",
    "case-id-uuid": b"\x020b7c1f3e-1d2a-4c5b-9e8f-1234567890ab",
    "case-id-reference": b"\x02ABN-2026-00001",
    "update-mask": b"\x03\x01" + encode("google.protobuf.FieldMask", 'paths: "subject.full_name" paths: "abandonment.region"'),
    "grantee": b"\x04LKHA",
    "transition": b"\x05\x04\x05\x01\x02TUNIS",
})

PARTNER = """
kind: PARTNER_KIND_LAWYER name: "Cabinet Benali" country: "MA" city: "Rabat"
specialisms: SPECIALISM_FAMILY_LAW specialisms: SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS
languages: "ar" languages: "fr"
contact_details { phone: "+212 5 37 00 00 00" email: "office@example.ma" website: "https://example.ma" }
"""
CONTACT = """
case_id: "DIV-2026-00002" partner_id: "0a80f831-0000-4000-8000-000000000001"
occurred_at { seconds: 1780000000 } channel: CONTACT_CHANNEL_PHONE direction: CONTACT_DIRECTION_OUTGOING
purpose: CONTACT_PURPOSE_LEGAL_ADVICE outcome: CONTACT_OUTCOME_HELP_AGREED
follow_up_due { year: 2026 month: 9 day: 1 } note: "Will ask the court for the judgment file"
"""
write("contacts_rules", {
    "partner": b"\x00" + encode("Partner", PARTNER),
    "partner-nl": b"\x00" + encode("Partner", PARTNER.replace('"MA"', '"NL"')),
    "partner-duplicate-language": b"\x00" + encode("Partner", PARTNER.replace('"fr"', '"ar"')),
    "partner-mask": b"\x01" + encode("google.protobuf.FieldMask", 'paths: "contact_details.phone" paths: "city"'),
    "codes": b"\x02ar",
    "contact": b"\x03" + encode("Contact", CONTACT),
    "contact-future": b"\x03" + encode("Contact", CONTACT.replace("1780000000", "1890000000")),
    "ad-hoc": b"\x04" + encode("AdHocContact", 'name: "Neighbour" phone: "+212 600"'),
    "vetting": b"\x05\x02\x02\x01RABATMA",
})

TALK = """
country: "MA" held_on { year: 2026 month: 3 day: 20 } level: TALK_LEVEL_AMBASSADOR
topics: TALK_TOPIC_ABANDONMENT topics: TALK_TOPIC_DIVORCE_RECOGNITION
summary: "Raised abandonment of dual nationals" outcome: "Working group agreed"
follow_up: "Meet again" follow_up_due { year: 2026 month: 9 day: 30 }
statistics_period { quarter { year: 2026 quarter: 1 } }
"""
write("stats_rules", {
    "statistics-year": b"\x00" + encode("GetCountryStatisticsRequest", 'country: "MA" period { year: 2026 } dimensions: DIMENSION_CASE_TYPE'),
    "statistics-range": b"\x00" + encode("GetCountryStatisticsRequest", 'country: "TR" period { range { from { year: 2024 month: 4 day: 1 } to { year: 2026 month: 6 day: 30 } } }'),
    "talk": b"\x01" + encode("RecordTalkRequest", 'request_id: "t-1" talk {' + TALK + '}'),
    "talk-bad-period": b"\x01" + encode("RecordTalkRequest", 'request_id: "t-2" talk {' + TALK.replace("quarter: 1", "quarter: 5") + '}'),
    "dossier": b"\x02" + encode("RenderCountryDossierRequest", 'country: "MA" period { quarter { year: 2026 quarter: 2 } } format: DOSSIER_FORMAT_CSV'),
    "series": b"\x03" + encode("GetTimeSeriesRequest", 'country: "MA" measure: MEASURE_CASES_OPENED interval: INTERVAL_QUARTER from_year: 2024 to_year: 2026 dimension: DIMENSION_CASE_TYPE category: "CASE_TYPE_ABANDONMENT"'),
    "series-month": b"\x03" + encode("GetTimeSeriesRequest", 'country: "MA" measure: MEASURE_CASES_OPENED interval: INTERVAL_MONTH from_year: 2025 to_year: 2025'),
})

KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.b64encode(bytes(range(100, 132))).decode()
write("key_ring", {
    "ring": f"\x00# keys\nk2024 {KEY_A}\nk2026 {KEY_B}\nactive k2026\n".encode(),
    "ring-no-active": f"\x00k2024 {KEY_A}\n".encode(),
    "ring-duplicate": f"\x00k1 {KEY_A}\nk1 {KEY_B}\nactive k1\n".encode(),
    "ring-short-key": "\x00k1 AAAA\nactive k1\n".encode(),
    "blind-index": f"\x01# the blind-index key\n{KEY_B}\n".encode(),
    "blind-index-two-lines": f"\x01{KEY_A}\n{KEY_B}\n".encode(),
})

write("server_config", {
    "flags": b"\x00fuzz\x00--dsn\x00host=/tmp dbname=consular\x00--token-public-keys\x00/k.pem\x00"
             b"--field-keys\x00/ring\x00--blind-index-key\x00/bi\x00--pool-size\x0016\x00--workers=4",
    "flags-out-of-range": b"\x00fuzz\x00--dsn\x00x\x00--token-public-keys\x00k\x00--field-keys\x00r\x00"
                          b"--blind-index-key\x00b\x00--pool-size\x000",
    "flags-missing": b"\x00fuzz\x00--insecure",
    "public-key": b"\x01" + PUBLIC_KEY_PEM,
    "private-key": b"\x01" + PRIVATE_KEY_PEM,
    "not-pem": b"\x01hello",
})

DOSSIER = """
country: "MA"
statistics {
  country: "MA" period { year: 2026 }
  cases_opened { value: 25 } cases_resolved { suppressed: true } cases_unresolved { value: 10 }
  contacts { value: 40 } median_days_to_resolution { suppressed: true }
  breakdowns { measure: MEASURE_CASES_OPENED dimension: DIMENSION_CASE_TYPE
               cells { category: "CASE_TYPE_ABANDONMENT" figure { value: 15 } }
               cells { category: "CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION" figure { value: 10 } }
               total { value: 25 } }
  breakdowns { measure: MEASURE_CASES_OPENED dimension: DIMENSION_AGE_GROUP
               cells { category: "AGE_GROUP_MINOR" figure { suppressed: true } }
               cells { category: "AGE_GROUP_ADULT" figure { suppressed: true } }
               total { value: 25 } }
  threshold: 5 as_of { seconds: 1780000000 } lag { seconds: 1 }
}
history { year: 2025 abandonment { value: 12 } divorce_recognition { suppressed: true } total { value: 19 } }
history { year: 2026 abandonment { value: 15 } divorce_recognition { value: 10 } total { value: 25 } }
talks { country: "MA" held_on { year: 2026 month: 3 day: 20 } level: TALK_LEVEL_AMBASSADOR
        topics: TALK_TOPIC_ABANDONMENT summary: "Raised <b>abandonment</b> & \\"passports\\", again"
        outcome: "Agreed, in principle" follow_up: "Line one\\r\\nline two" }
generated_at { seconds: 1780000100 }
"""
dossiers = {
    "dossier": encode("CountryDossier", DOSSIER),
    "dossier-empty": b"",
    "dossier-quarter": encode("CountryDossier", DOSSIER.replace("period { year: 2026 }", "period { quarter { year: 2026 quarter: 2 } }")),
    "dossier-script": encode("CountryDossier", 'country: "<script>alert(1)</script>" talks { summary: "</dd><script>x</script>" outcome: "=cmd|x" }'),
    # The overlap year of a change of counting definitions, with versions a client made up.
    "dossier-overlap": encode("CountryDossier", DOSSIER.replace("threshold: 5", """
  breakdowns { measure: MEASURE_CONTACTS dimension: DIMENSION_PARTNER_KIND
               cells { category: "PARTNER_KIND_LAWYER" figure { value: 21 } }
               cells { category: "PARTNER_KIND_OTHER" figure { suppressed: true } }
               total { value: 40 } }
  definition_version: "=2,\\"<b>"
  previous_definition { definition_version: "1</h3>\\r\\n"
    contacts { value: 90 }
    breakdowns { measure: MEASURE_CONTACTS dimension: DIMENSION_PARTNER_KIND
                 cells { category: "PARTNER_KIND_LAWYER" figure { value: 63 } }
                 cells { category: "PARTNER_KIND_SHELTER" figure { suppressed: true } }
                 total { value: 90 } }
    breakdowns { measure: MEASURE_CONTACTS dimension: DIMENSION_MONTH
                 cells { category: "2026-01" figure { value: 7 } } total { value: 90 } } }
  threshold: 5""")),
}
write("dossier_csv", dossiers)
write("dossier_html", dossiers)
