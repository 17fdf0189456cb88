// TempDir: what the unit tests that write files share. A fresh directory
// under the system's temp dir, named after the running test (and the
// process, and a counter: tests run in parallel under ctest), removed with
// its contents when the TempDir goes.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace inplay::test_util {

class TempDir {
 public:
  // prefix: names what made it ("audit", "gameday"), for a reader of /tmp.
  explicit TempDir(const std::string& prefix = "test") {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("inplay_" + prefix + "_" + std::to_string(::getpid()) + "_" + (info ? info->name() : "none") + "_" +
             std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace inplay::test_util
