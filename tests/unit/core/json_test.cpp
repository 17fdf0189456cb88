// JsonWriter (src/core/json.h): RFC 8259 escaping of every byte that needs
// it, nothing else touched; whatever it writes parses back to the input.
#include "core/json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>

namespace inplay {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  json_escape_into(out, s);
  return out;
}

TEST(Json, EscapesQuotesBackslashesAndControlCharactersOnly) {
  EXPECT_EQ(escaped(""), R"("")");
  EXPECT_EQ(escaped("plain text 123"), R"("plain text 123")");
  EXPECT_EQ(escaped("say \"hi\"\\now"), R"("say \"hi\"\\now")");
  EXPECT_EQ(escaped("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(escaped(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\x7f\"");
  EXPECT_EQ(escaped(std::string("\0x", 2)), R"("\u0000x")");
  EXPECT_EQ(escaped("é 😀"), "\"é 😀\"");  // UTF-8 passes through
  EXPECT_EQ(escaped("\"\"\""), R"("\"\"\"")");  // runs of escapes, no plain run between
  std::string appended = "prefix:";
  json_escape_into(appended, "x\"y");
  EXPECT_EQ(appended, R"(prefix:"x\"y")");
}

TEST(Json, WhatItWritesParsesBackToTheInput) {
  std::mt19937 rng(7);
  simdjson::dom::parser parser;
  for (int n = 0; n < 2000; ++n) {
    std::string s(rng() % 64, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 0x80);  // ASCII incl. controls: always valid UTF-8
    JsonWriter w;
    w.begin_object().field("k", s).end_object();
    simdjson::dom::element doc;
    ASSERT_FALSE(parser.parse(w.str()).get(doc)) << w.str();
    std::string_view back;
    ASSERT_FALSE(doc["k"].get(back));
    EXPECT_EQ(back, s);
  }
}

}  // namespace
}  // namespace inplay
