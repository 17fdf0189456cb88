#include "core/spelling.h"

#include <gtest/gtest.h>

#include "core/yaml_reader.h"

namespace inplay {
namespace {

TEST(Spelling, DistanceCountsASwapAsOneStep) {
  EXPECT_EQ(spelling_distance("duration", "duration"), 0u);
  EXPECT_EQ(spelling_distance("duratoin", "duration"), 1u);
  EXPECT_EQ(spelling_distance("kickof_in", "kickoff_in"), 1u);
  EXPECT_EQ(spelling_distance("", "abc"), 3u);
  EXPECT_EQ(spelling_distance("demi", "demo"), 1u);
}

TEST(Spelling, NearestNameOnlyForLikelyTypos) {
  const std::vector<std::string> names{"demo", "serve", "gameday", "to"};
  EXPECT_EQ(nearest_name("demi", names), "demo");
  EXPECT_EQ(nearest_name("gamedya", names), "gameday");
  EXPECT_EQ(nearest_name("launch", names), std::nullopt);
  EXPECT_EQ(nearest_name("id", names), std::nullopt);  // too short to guess
  EXPECT_EQ(did_you_mean("srve", names), " (did you mean 'serve'?)");
  EXPECT_EQ(did_you_mean("xyz", names), "");
}

std::string error_of(const std::string& yaml, std::initializer_list<std::string_view> required) {
  const std::string file = "f.yaml";
  try {
    YamlReader r(load_yaml(yaml, file), "", file);
    for (auto k : required) r.str(k, true);
    r.done();
  } catch (const YamlError& e) {
    return e.what();
  }
  return "";
}

TEST(YamlReaderMistakes, AMissingRequiredKeyIsReportedAtItsTypo) {
  EXPECT_EQ(error_of("name: x\nduratoin: 5s\n", {"name", "duration"}),
            "f.yaml:2: duratoin: unknown key (did you mean 'duration'?)");
  // No typo in sight: at the mapping, as before.
  EXPECT_EQ(error_of("name: x\ncolour: red\n", {"name", "duration"}), "f.yaml:1: missing required key 'duration'");
}

TEST(YamlReaderMistakes, AnUnknownKeyNamesTheKeyMeant) {
  EXPECT_EQ(error_of("name: x\nnmae: y\n", {"name"}), "f.yaml:2: nmae: unknown key (did you mean 'name'?)");
}

TEST(YamlReaderMistakes, AKeyGivenTwiceIsRefusedAtItsSecondPlace) {
  EXPECT_EQ(error_of("name: x\nother: 1\nname: y\n", {"name"}), "f.yaml:3: name: duplicate key (first at line 1)");
  const std::string file = "f.yaml";
  YamlReader top(load_yaml("outer:\n  a: 1\n  b: 2\n  a: 3\n", file), "", file);
  try {
    top.child("outer");
    FAIL() << "a nested duplicate passed";
  } catch (const YamlError& e) {
    EXPECT_STREQ(e.what(), "f.yaml:4: outer.a: duplicate key (first at line 2)");
  }
}

TEST(YamlReaderMistakes, MissingOneOfSeveralKeys) {
  const std::string file = "f.yaml";
  YamlReader r(load_yaml("minut: 3\n", file), "", file);
  try {
    r.missing({"minute", "kickoff_in"});
    FAIL();
  } catch (const YamlError& e) {
    EXPECT_STREQ(e.what(), "f.yaml:1: minut: unknown key (did you mean 'minute'?)");
  }
  YamlReader q(load_yaml("league: EPL\n", file), "", file);
  try {
    q.missing({"minute", "kickoff_in"});
    FAIL();
  } catch (const YamlError& e) {
    EXPECT_STREQ(e.what(), "f.yaml:1: missing required key 'minute' or 'kickoff_in'");
  }
}

}  // namespace
}  // namespace inplay
