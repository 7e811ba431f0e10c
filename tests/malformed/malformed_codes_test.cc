// The library side of the malformed corpus (tests/malformed/): binding each
// request and snapshot file returns exactly the error code its name pins
// (`E1013-unknown-tier.json` -> E1013), a path under the right root, and a
// byte offset for the errors found in the raw text (syntax, UTF-8, depth).
// Nothing throws. The CLI side is run_malformed.sh.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "mixtral/runtime/inputs.h"
#include "test_files.h"

namespace mixtral {
namespace {

const std::string kDir = MIXTRAL_MALFORMED_DIR;

std::shared_ptr<const Policy> BasePolicy() {
  static std::shared_ptr<const Policy> policy = [] {
    std::string diagnostics;
    auto p = testing::CompilePolicyFile(kDir + "/policy.mxl", &diagnostics);
    INFO(diagnostics);
    REQUIRE(p);
    return p;
  }();
  return policy;
}

// "E1013" from ".../E1013-unknown-tier.json"; "" for "any-...".
std::string PinnedCode(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  if (base.size() > 6 && base[0] == 'E' && base[5] == '-') return base.substr(0, 5);
  return "";
}

bool RawTextError(const std::string& code) {
  return code == "E1001" || code == "E1002" || code == "E1004";
}

void CheckError(const std::string& file, const std::optional<InputError>& err,
                const std::vector<std::string>& roots) {
  CAPTURE(file);
  if (!err) {
    FAIL_CHECK("the input was accepted");
    return;
  }
  CAPTURE(err->ToString());
  const std::string want = PinnedCode(file);
  if (!want.empty()) CHECK(err->code == want);
  bool rooted = false;
  for (const std::string& root : roots)
    rooted |= err->path == root || err->path.rfind(root + ".", 0) == 0 ||
              err->path.rfind(root + "[", 0) == 0;
  CHECK_MESSAGE(rooted, "path `" << err->path << "` is not under the input's root");
  CHECK(!err->message.empty());
  // Syntax errors are located by byte offset; an error about a parsed value
  // (such as a duplicate key) by its JSON path below the root instead.
  if (RawTextError(err->code))
    CHECK((err->byte_offset.has_value() || err->path.size() > roots.front().size()));
}

TEST_CASE("every malformed request is rejected with its pinned code") {
  auto policy = BasePolicy();
  auto files = testing::ListFiles(kDir + "/requests");
  REQUIRE(files.size() >= 50);
  for (const std::string& file : files) {
    BoundRequest out;
    RequestBindOptions cli;
    cli.reject_unknown = true;
    CheckError(file, BindRequestJson(*policy, testing::ReadFile(file), cli, &out), {"request"});
  }
}

TEST_CASE("every malformed snapshot is rejected with its pinned code") {
  auto policy = BasePolicy();
  auto files = testing::ListFiles(kDir + "/snapshots");
  REQUIRE(files.size() >= 10);
  for (const std::string& file : files) {
    BoundSnapshot out;
    CheckError(file, BindSnapshotJson(*policy, testing::ReadFile(file), std::nullopt, &out),
               {"snapshot", "inventory"});
  }
}

TEST_CASE("the corpus' own fixtures are valid") {
  auto policy = BasePolicy();
  BoundSnapshot snapshot;
  auto serr = BindSnapshotJson(*policy, testing::ReadFile(kDir + "/telemetry.json"), std::nullopt,
                               &snapshot);
  CHECK_MESSAGE(!serr, (serr ? serr->ToString() : ""));
  BoundRequest request;
  auto rerr = BindRequestJson(*policy, testing::ReadFile(kDir + "/request.json"), {}, &request);
  CHECK_MESSAGE(!rerr, (rerr ? rerr->ToString() : ""));
}

}  // namespace
}  // namespace mixtral
