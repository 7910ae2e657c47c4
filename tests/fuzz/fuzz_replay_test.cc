// Runs every fuzz target over its committed inputs (corpus/<target>/): the seeds, and every input
// a fuzzer once found crashing, so that a fix stays fixed in every build, sanitizers or not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace consular::fuzz {
namespace {

std::map<std::string, FuzzFunction>& Targets() {
  static auto* const targets = new std::map<std::string, FuzzFunction>();
  return *targets;
}

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const auto& [name, function] : Targets()) names.push_back(name);
  return names;
}

const std::filesystem::path kCorpus = CONSULAR_FUZZ_CORPUS_DIR;

class FuzzReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzReplayTest, EveryCommittedInputPasses) {
  const std::filesystem::path dir = kCorpus / GetParam();
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir << " is missing";
  int inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(entry.path().string());
    Targets().at(GetParam())(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++inputs;
  }
  EXPECT_GE(inputs, 3) << "each target keeps a handful of seeds in " << dir;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplayTest, ::testing::ValuesIn(TargetNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// No corpus folder without its target (a renamed target would leave its inputs unread).
TEST(FuzzCorpusTest, EveryCorpusFolderHasItsTarget) {
  std::set<std::string> folders;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    if (entry.is_directory()) folders.insert(entry.path().filename().string());
  }
  const std::vector<std::string> names = TargetNames();
  EXPECT_EQ(folders, std::set<std::string>(names.begin(), names.end()));
}

}  // namespace

bool RegisterFuzzTarget(const char* name, FuzzFunction function) {
  return Targets().emplace(name, function).second;
}

}  // namespace consular::fuzz
