#pragma once

#include <string>

#include "crypto/blind_index.h"
#include "crypto/field_cipher.h"
#include "crypto/key_ring.h"
#include "storage/case_store.h"

namespace consular::testing {

// A field cipher (one fresh random key, id "test-1", active) and a blind index (another fresh
// random key) for tests that need a CaseManager or CaseStore:
//
//   TestFieldCrypto keys;
//   CaseManager manager(runner, clock, keys.crypto());
//
// Must outlive whatever it is handed to.
struct TestFieldCrypto {
  explicit TestFieldCrypto(const std::string& key_id = "test-1")
      : cipher(KeyRing::Single(key_id, SecretKey::Random())), blind_index(SecretKey::Random()) {}

  // Returns the pair for CaseManager / CaseStore.
  storage::FieldCrypto crypto() const { return {&cipher, &blind_index}; }

  FieldCipher cipher;
  BlindIndex blind_index;
};

}  // namespace consular::testing
