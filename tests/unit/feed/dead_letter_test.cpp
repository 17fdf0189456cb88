#include "feed/dead_letter.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace inplay {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const char* name) {
  fs::path d = fs::temp_directory_path() / (std::string(name) + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(DeadLetter, OneJsonObjectPerLineWithTheRawLineEscaped) {
  fs::path dir = temp_dir("dl_format");
  DeadLetterFile f(dir / "sub" / "dead.jsonl");
  const std::string raw = "{\"type\":\"odds_change\",\"seq\":\"5\"}\t\"quoted\" \\ é";
  f.write("sim-primary", "wrong_type", raw, 1764270000123);
  f.write("", "invalid_json", "not json at all", 2);
  auto lines = lines_of(dir / "sub" / "dead.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], R"({"at":2,"producer":"","reason":"invalid_json","line":"not json at all"})");
  simdjson::dom::parser p;
  simdjson::dom::element e = p.parse(lines[0]);
  EXPECT_EQ(int64_t(e["at"]), 1764270000123);
  EXPECT_EQ(std::string_view(e["producer"]), "sim-primary");
  EXPECT_EQ(std::string_view(e["reason"]), "wrong_type");
  EXPECT_EQ(std::string_view(e["line"]), raw);  // exact bytes back
  EXPECT_EQ(f.written(), 2u);
  EXPECT_EQ(f.dropped(), 0u);
  EXPECT_EQ(f.errors(), 0u);
  EXPECT_EQ(f.file_bytes(), fs::file_size(dir / "sub" / "dead.jsonl"));
  fs::remove_all(dir);
}

TEST(DeadLetter, InvalidUtf8IsKeptExactlyAsBase64) {
  std::string rec = dead_letter_record("p", "invalid_json", std::string("a\xff\x00z", 4), 1);
  EXPECT_EQ(rec, "{\"at\":1,\"producer\":\"p\",\"reason\":\"invalid_json\",\"line_base64\":\"Yf8Aeg==\"}\n");
  simdjson::dom::parser p;
  EXPECT_FALSE(p.parse(rec).error());
}

TEST(DeadLetter, LongLinesAreCutAtACharacterBoundary) {
  std::string raw = "ab" + std::string(10, 'x') + "é" + std::string(10, 'y');  // é is 2 bytes
  std::string rec = dead_letter_record("p", "line_too_long", raw, 1, 13);  // cut inside é
  simdjson::dom::parser p;
  simdjson::dom::element e = p.parse(rec);
  EXPECT_EQ(std::string_view(e["line"]), "ab" + std::string(10, 'x'));
  EXPECT_EQ(uint64_t(e["line_bytes"]), raw.size());
}

TEST(DeadLetter, BoundedBySizeAndCountsDrops) {
  fs::path dir = temp_dir("dl_bound");
  fs::create_directories(dir);
  DeadLetterFile f(dir / "dead.jsonl", 200, DeadLetterFile::kDefaultMaxLineBytes, 0);
  for (int i = 0; i < 10; ++i) f.write("p", "bad_value", "0123456789012345678901234567890123456789", i);
  EXPECT_GT(f.written(), 0u);
  EXPECT_EQ(f.written() + f.dropped(), 10u);
  EXPECT_LE(fs::file_size(dir / "dead.jsonl"), 200u);
  // The size already on disk counts when the file is opened again.
  DeadLetterFile again(dir / "dead.jsonl", 200);
  again.write("p", "bad_value", "0123456789012345678901234567890123456789", 99);
  EXPECT_EQ(again.written(), 0u);
  EXPECT_EQ(again.dropped(), 1u);
  fs::remove_all(dir);
}

// A schema skew refuses every line of a busy feed: the first ones per
// (producer, reason) and minute are kept, the rest counted; another reason
// or producer still gets its own room, and a new minute starts afresh.
TEST(DeadLetter, SampledPerProducerAndReasonPerMinute) {
  fs::path dir = temp_dir("dl_sample");
  DeadLetterFile f(dir / "dead.jsonl", DeadLetterFile::kDefaultMaxFileBytes, DeadLetterFile::kDefaultMaxLineBytes, 3);
  for (int i = 0; i < 10; ++i) f.write("sim-primary", "schema_version", "x", 60000 + i);
  EXPECT_EQ(f.written(), 3u);
  EXPECT_EQ(f.sampled_out(), 7u);
  f.write("sim-primary", "invalid_json", "y", 60100);
  f.write("sim-backup", "schema_version", "z", 60100);
  EXPECT_EQ(f.written(), 5u);
  f.write("sim-primary", "schema_version", "x", 120000);  // the next minute
  EXPECT_EQ(f.written(), 6u);
  EXPECT_EQ(lines_of(dir / "dead.jsonl").size(), 6u);
  EXPECT_EQ(f.dropped(), 0u);
  fs::remove_all(dir);
}

TEST(DeadLetter, DiskErrorsAreCountedNeverThrown) {
  fs::path dir = temp_dir("dl_err");
  fs::create_directories(dir);
  fs::path blocker = dir / "file";
  std::ofstream(blocker) << "x";
  DeadLetterFile f(blocker / "dead.jsonl");  // parent is a regular file: cannot open
  EXPECT_NO_THROW(f.write("p", "invalid_json", "x", 1));
  EXPECT_EQ(f.errors(), 1u);
  EXPECT_EQ(f.written(), 0u);
  if (fs::exists("/dev/full")) {
    DeadLetterFile full("/dev/full");
    EXPECT_NO_THROW(full.write("p", "invalid_json", "x", 1));
    EXPECT_EQ(full.errors(), 1u);
  }
  fs::remove_all(dir);
}

TEST(DeadLetter, ConcurrentWritersNeverInterleave) {
  fs::path dir = temp_dir("dl_threads");
  DeadLetterFile f(dir / "dead.jsonl", DeadLetterFile::kDefaultMaxFileBytes, DeadLetterFile::kDefaultMaxLineBytes, 0);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&f, t] {
      for (int i = 0; i < 500; ++i) f.write("p" + std::to_string(t), "bad_value", std::string(100 + i, 'a' + t), i);
    });
  for (auto& t : ts) t.join();
  auto lines = lines_of(dir / "dead.jsonl");
  ASSERT_EQ(lines.size(), 2000u);
  simdjson::dom::parser p;
  for (const auto& l : lines) ASSERT_FALSE(p.parse(l).error()) << l.substr(0, 80);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace inplay
