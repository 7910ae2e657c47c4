#pragma once

// The fuzz targets of tests/fuzz. Each target is one function over untrusted bytes, declared with
// CONSULAR_FUZZ_TARGET(name). Built with CONSULAR_FUZZ (clang, libFuzzer) each becomes the
// LLVMFuzzerTestOneInput of its own fuzzer; in every build, fuzz_replay_test runs every target over
// its committed inputs (corpus/<name>/: seeds, and every input that once crashed it), so what the
// fuzzers found stays fixed.
//
// A target returns normally for any input it handles correctly. It checks properties with
// FUZZ_CHECK, which prints the failed condition and aborts: libFuzzer then saves the input.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace consular::fuzz {

using FuzzFunction = void (*)(const uint8_t* data, size_t size);

// Adds `function` under `name` to the targets the replay test runs (see fuzz_replay_test.cc).
bool RegisterFuzzTarget(const char* name, FuzzFunction function);

// Reads typed values off the front of a fuzz input, then hands out the rest. Reading past the end
// gives zeros and empty strings, so every input is usable.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  // Up to `max` bytes, the count taken from the input.
  std::string Bytes(size_t max) {
    size_t n = Byte();
    if (n > max) n = max;
    if (n > size_) n = size_;
    std::string out(reinterpret_cast<const char*>(data_), n);
    data_ += n;
    size_ -= n;
    return out;
  }
  // Everything not read yet.
  std::string Rest() {
    std::string out(reinterpret_cast<const char*>(data_), size_);
    data_ += size_;
    size_ = 0;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
};

}  // namespace consular::fuzz

#define FUZZ_CHECK(condition)                                                        \
  do {                                                                               \
    if (!(condition)) {                                                              \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__,     \
                   #condition);                                                      \
      std::abort();                                                                  \
    }                                                                                \
  } while (false)

#ifdef CONSULAR_LIBFUZZER
#define CONSULAR_FUZZ_TARGET(name)                                                   \
  static void ConsularFuzz_##name(const uint8_t* data, size_t size);                 \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {          \
    ConsularFuzz_##name(data, size);                                                 \
    return 0;                                                                        \
  }                                                                                  \
  static void ConsularFuzz_##name(const uint8_t* data, size_t size)
#else
#define CONSULAR_FUZZ_TARGET(name)                                                   \
  static void ConsularFuzz_##name(const uint8_t* data, size_t size);                 \
  [[maybe_unused]] static const bool consular_fuzz_registered_##name =               \
      ::consular::fuzz::RegisterFuzzTarget(#name, &ConsularFuzz_##name);             \
  static void ConsularFuzz_##name(const uint8_t* data, size_t size)
#endif
