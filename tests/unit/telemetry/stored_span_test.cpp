// StoredSpan: a packed span reads back exactly as the Span it came from,
// whatever mix of held, rendered, integer, empty and long values it carries.
#include "telemetry/stored_span.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/attributes.h"

namespace inplay {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs rendered(const Span& s) {
  Pairs out;
  for (const auto& [k, v] : s.attributes) out.emplace_back(std::string(k), v);
  return out;
}

Pairs visited(const StoredSpan& s) {
  Pairs out;
  s.visit([&](std::string_view k, std::string_view v) { out.emplace_back(std::string(k), std::string(v)); });
  return out;
}

Span sample_span() {
  Span s;
  s.trace_id = TraceId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  s.span_id = SpanId{9, 9, 9, 9, 9, 9, 9, 1};
  s.parent_id = SpanId{8, 8, 8, 8, 8, 8, 8, 2};
  s.name = "risk";
  s.start_ns = 1'000;
  s.end_ns = 5'000;
  s.error = true;
  s.flags = 0;
  s.local_root = false;
  return s;
}

TEST(StoredSpan, ARecordIsOneCacheLineAndItsBlockHoldsOnlyWhatTheSpanCarries) {
  static_assert(sizeof(StoredSpan) == 64);
  Span s = sample_span();
  s.attr(attr::kBetId, int64_t{1234567});
  s.attr(attr::kLeague, "EPL");
  StoredSpan p(s);
  // u16 name length + "risk", then (key pointer, key length, tag) per attribute
  // and its value: 8 bytes of int64, 3 of text.
  EXPECT_EQ(p.heap_bytes(), 2 + 4 + (10 + 8) + (10 + 3));
  EXPECT_LT(sizeof(StoredSpan) + p.heap_bytes(), sizeof(Span) / 3);
}

TEST(StoredSpan, FieldsAndAttributesReadBackAsTheSpanHadThem) {
  Span s = sample_span();
  s.attr(attr::kSelection, int64_t{7});
  s.attr(attr::kLeague, "EPL");
  s.attr(attr::kSelection, int64_t{-9223372036854775807 - 1});
  s.attr(attr::kUser, "");
  s.attr(attr::kMarketId, std::string(300, 'm'));  // longer than a held slot and than a u8 length
  StoredSpan p(s);
  EXPECT_EQ(p.trace_id, s.trace_id);
  EXPECT_EQ(p.span_id, s.span_id);
  EXPECT_EQ(p.parent_id, s.parent_id);
  EXPECT_EQ(p.name(), "risk");
  EXPECT_EQ(p.start_ns, 1'000);
  EXPECT_EQ(p.end_ns, 5'000);
  EXPECT_TRUE(p.error());
  EXPECT_EQ(p.flags(), 0);
  EXPECT_FALSE(p.local_root());
  EXPECT_EQ(p.attribute_count(), 5u);
  EXPECT_EQ(visited(p), rendered(s));

  char buf[20];
  EXPECT_EQ(p.find(attr::kSelection, buf), "7");  // the first of two
  EXPECT_EQ(p.find(attr::kUser, buf), "");
  EXPECT_EQ(p.find(attr::kMarketId, buf), std::string(300, 'm'));
  EXPECT_FALSE(p.find(attr::kBetId, buf));
  EXPECT_TRUE(p.contains(attr::kSelection, "-9223372036854775808"));
  EXPECT_TRUE(p.contains(attr::kLeague, "EPL"));
  EXPECT_FALSE(p.contains(attr::kLeague, "EP"));
  EXPECT_FALSE(p.contains(attr::kBetId, "7"));

  Span back = p.unpack();
  EXPECT_EQ(back.trace_id, s.trace_id);
  EXPECT_EQ(back.parent_id, s.parent_id);
  EXPECT_EQ(back.name, s.name);
  EXPECT_EQ(back.end_ns, s.end_ns);
  EXPECT_EQ(back.error, s.error);
  EXPECT_EQ(back.flags, s.flags);
  EXPECT_EQ(back.local_root, s.local_root);
  EXPECT_EQ(rendered(back), rendered(s));
}

TEST(StoredSpan, AnEmptySpanHasNoBlock) {
  Span s;
  StoredSpan p(s);
  EXPECT_EQ(p.heap_bytes(), 0u);
  EXPECT_EQ(p.name(), "");
  EXPECT_EQ(p.attribute_count(), 0u);
  EXPECT_TRUE(visited(p).empty());
  char buf[20];
  EXPECT_FALSE(p.find(attr::kLeague, buf));
  EXPECT_EQ(p.unpack().name, "");
}

// A span already read (its held values rendered) packs the same as one not
// read; a find() into buf survives later reads of other attributes.
TEST(StoredSpan, RenderedOrNotPacksTheSame) {
  Span a = sample_span();
  a.attr(attr::kBetId, int64_t{42});
  a.attr(attr::kLeague, "EPL");
  Span b = a;
  b.attributes.render();
  StoredSpan pa(a), pb(b);
  EXPECT_EQ(visited(pa), visited(pb));
  char buf[20];
  auto v = pa.find(attr::kBetId, buf);
  ASSERT_TRUE(v);
  EXPECT_TRUE(pa.contains(attr::kLeague, "EPL"));
  EXPECT_EQ(*v, "42");
}

// Random spans against their own rendering: 2,000 spans of 0-12 attributes
// (past the eight held slots), ints anywhere in int64, texts of 0-300 bytes.
TEST(StoredSpan, RandomSpansReadBackAsRendered) {
  std::mt19937_64 rng(20261208);
  const std::string_view keys[] = {attr::kBetId, attr::kLeague, attr::kSelection, attr::kUser, attr::kMarketId};
  for (int n = 0; n < 2000; ++n) {
    Span s = sample_span();
    s.name = std::string(rng() % 40, 'n');
    const int attrs = static_cast<int>(rng() % 13);
    for (int i = 0; i < attrs; ++i) {
      std::string_view k = keys[rng() % std::size(keys)];
      if (rng() % 2) s.attr(k, static_cast<int64_t>(rng()));
      else s.attr(k, std::string(rng() % 4 == 0 ? rng() % 300 : rng() % 24, static_cast<char>('a' + rng() % 26)));
    }
    StoredSpan p(s);
    ASSERT_EQ(visited(p), rendered(s)) << "span " << n;
    ASSERT_EQ(rendered(p.unpack()), rendered(s)) << "span " << n;
    ASSERT_EQ(p.name(), s.name);
  }
}

}  // namespace
}  // namespace inplay
