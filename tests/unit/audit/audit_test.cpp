// Audit log: the keyed chain verifies, and every kind of tampering (a byte
// edited anywhere, a record deleted, two records swapped, a record forged
// without the key, the wrong key) is pinned to the right line; the audit
// projection continues the chain across restarts without duplicates.
// (The journal's anchors and `verify_audit`: audit_verify_test.cpp.)
#include <gtest/gtest.h>

#include "telemetry/trace.h"
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "projection/audit_projection.h"
#include "journal/events.h"
#include "journal/journal.h"
#include "telemetry/audit.h"
#include "audit_test_util.h"

namespace inplay {
namespace {

namespace fs = std::filesystem;

using namespace audit_test;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

// n records of varied actions, written in two batches.
void write_chain(const fs::path& file, int n) {
  AuditWriter w(file, key());
  for (int i = 1; i <= n; ++i) {
    AuditEntry e;
    e.action = i % 2 ? "deposit" : "market_status_set";
    e.at_ns = kT0 + i * 1000000;
    e.journal_seq = static_cast<uint64_t>(i * 10);
    if (i % 2) e.add("account", "u_0123456789abcdef").add("amount", int64_t{100 * i});
    else e.add("market_id", uint64_t{101}).add("status", "suspended").add("actor", "operator:trader");
    w.append(e);
    if (i == n / 2) w.flush();
  }
  w.flush();
}

TEST(AuditLog, ChainVerifies) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 6);
  AuditVerifyResult r = verify_audit_file(f, key());
  EXPECT_TRUE(r.ok) << r.line << ": " << r.reason;
  EXPECT_EQ(r.records, 6u);
  auto lines = read_lines(f);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].rfind(R"({"seq":1,"at":"2026-11-27T20:00:00.001Z","action":"deposit","journal_seq":10,)", 0), 0u)
      << lines[0];
  EXPECT_NE(lines[0].find(R"("key":")" + key().id() + R"(","prev":")" + std::string(64, '0')), std::string::npos);
  // prev of each record is the mac of the previous one.
  auto prior = parse_audit_line(lines[2], key());
  auto parsed = parse_audit_line(lines[3], key());
  ASSERT_TRUE(std::holds_alternative<AuditLine>(parsed));
  ASSERT_TRUE(std::holds_alternative<AuditLine>(prior));
  EXPECT_EQ(std::get<AuditLine>(parsed).prev, std::get<AuditLine>(prior).mac);
  EXPECT_EQ(r.head, std::get<AuditLine>(parse_audit_line(lines[5], key())).mac);
  EXPECT_EQ(r.last_journal_seq, 60u);
}

TEST(AuditLog, TheKeyIdIsAFingerprintOfTheSecret) {
  EXPECT_EQ(key().id().size(), 16u);
  EXPECT_EQ(AuditKey("test-audit-chain-secret-0123456789abcdef").id(), key().id());
  EXPECT_NE(AuditKey("test-audit-chain-secret-0123456789abcdeF").id(), key().id());
  EXPECT_EQ(key().mac_hex("x").size(), 64u);
  EXPECT_THROW(AuditKey(""), std::invalid_argument);
}

TEST(AuditLog, TheWrongKeyIsNamedAtLineOne) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 3);
  AuditKey other("another-audit-chain-secret-0123456789abc");
  AuditVerifyResult r = verify_audit_file(f, other);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 1u);
  EXPECT_NE(r.reason.find("key " + key().id() + " is not the configured key " + other.id()), std::string::npos)
      << r.reason;
  // Nor does a writer continue a chain with another key.
  EXPECT_THROW(AuditWriter w(f, other), AuditError);
}

// Someone who can write the file but lacks the secret rewrites a record and
// fixes up its mac with the old unkeyed scheme, or with a key of their own
// named as ours: the mac does not verify at that line.
TEST(AuditLog, ARecordRewrittenWithoutTheKeyIsNamed) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 4);
  auto lines = read_lines(f);
  AuditKey theirs("attacker-chain-secret-0123456789abcdefgh");
  std::string forged = lines[2];
  const size_t amount = forged.find(R"("amount":300)");
  ASSERT_NE(amount, std::string::npos) << forged;
  forged.replace(amount, 12, R"("amount":900)");
  const size_t mac_at = forged.rfind(R"(,"mac":")");
  std::string canonical = forged.substr(0, mac_at) + "}";
  const std::string prev = std::get<AuditLine>(parse_audit_line(lines[1], key())).mac;
  forged = forged.substr(0, mac_at) + R"(,"mac":")" + theirs.mac_hex(prev + canonical) + "\"}";
  lines[2] = forged;
  write_lines(f, lines);
  AuditVerifyResult r = verify_audit_file(f, key());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 3u);
  EXPECT_EQ(r.reason, "mac mismatch");
  EXPECT_EQ(r.records, 2u);
}

TEST(AuditLog, AnUnkeyedFileIsMovedAsideAndRebuilt) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  const std::string old = R"({"seq":1,"at":"2026-11-27T20:00:00.001Z","action":"deposit","journal_seq":10,"prev":")" +
                          std::string(64, '0') + R"(","hash":")" + std::string(64, 'a') + "\"}\n";
  write_all(f, old);
  EXPECT_NE(verify_audit_file(f, key()).reason.find("unkeyed record"), std::string::npos);
  {
    AuditWriter w(f, key());
    EXPECT_EQ(w.last_seq(), 0u);
    EXPECT_EQ(w.last_journal_seq(), 0u);
  }
  EXPECT_EQ(read_all(d.path() / "audit.jsonl.unkeyed"), old);
  EXPECT_EQ(read_all(f), "");
}

TEST(AuditLog, EmptyFileVerifies) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_all(f, "");
  AuditVerifyResult r = verify_audit_file(f, key());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 0u);
}

TEST(AuditLog, EditingAnyByteOfAnyRecordPointsAtThatLine) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 4);
  const std::string orig = read_all(f);
  size_t line_no = 1;
  for (size_t i = 0; i < orig.size(); ++i) {
    std::string t = orig;
    t[i] = t[i] == 'x' ? 'y' : 'x';
    write_all(f, t);
    AuditVerifyResult r = verify_audit_file(f, key());
    EXPECT_FALSE(r.ok) << "byte " << i;
    EXPECT_EQ(r.line, line_no) << "byte " << i << ": " << r.reason;
    if (orig[i] == '\n') ++line_no;
  }
}

TEST(AuditLog, DeletingARecordBreaksTheChainThere) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 5);
  const auto lines = read_lines(f);
  for (size_t k = 0; k + 1 < lines.size(); ++k) {  // deleting the last one leaves a valid prefix
    auto t = lines;
    t.erase(t.begin() + static_cast<long>(k));
    write_lines(f, t);
    AuditVerifyResult r = verify_audit_file(f, key());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.line, k + 1) << r.reason;
    EXPECT_NE(r.reason.find("broken chain"), std::string::npos) << r.reason;
  }
}

TEST(AuditLog, ReorderingTwoRecordsPointsAtTheFirstMoved) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 5);
  const auto lines = read_lines(f);
  for (size_t k = 0; k + 1 < lines.size(); ++k) {
    auto t = lines;
    std::swap(t[k], t[k + 1]);
    write_lines(f, t);
    AuditVerifyResult r = verify_audit_file(f, key());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.line, k + 1) << r.reason;
    EXPECT_NE(r.reason.find("broken chain"), std::string::npos) << r.reason;
  }
  // Swapping two records further apart: the first moved one is named.
  auto t = lines;
  std::swap(t[1], t[3]);
  write_lines(f, t);
  EXPECT_EQ(verify_audit_file(f, key()).line, 2u);
}

TEST(AuditLog, MalformedLineIsNamed) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 3);
  auto lines = read_lines(f);
  lines[1] = "not json";
  write_lines(f, lines);
  AuditVerifyResult r = verify_audit_file(f, key());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 2u);
  EXPECT_NE(r.reason.find("malformed"), std::string::npos) << r.reason;
}

TEST(AuditLog, WriterContinuesTheChainAndCutsATornTail) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 3);
  std::string s = read_all(f);
  write_all(f, s + R"({"seq":4,"at":"2026-11-27T20:0)");  // a crash mid-write
  {
    AuditWriter w(f, key());
    EXPECT_EQ(w.last_seq(), 3u);
    EXPECT_EQ(w.last_journal_seq(), 30u);
    AuditEntry e;
    e.action = "withdrawal";
    e.at_ns = kT0;
    e.journal_seq = 31;
    e.add("account", "u_x").add("amount", int64_t{5});
    EXPECT_EQ(w.append(e), 4u);
    w.flush();
  }
  AuditVerifyResult r = verify_audit_file(f, key());
  EXPECT_TRUE(r.ok) << r.line << ": " << r.reason;
  EXPECT_EQ(r.records, 4u);
}

TEST(AuditLog, WriterRefusesATamperedTail) {
  TempDir d;
  fs::path f = d.path() / "audit.jsonl";
  write_chain(f, 2);
  std::string s = read_all(f);
  s[s.size() - 90] = s[s.size() - 90] == '1' ? '2' : '1';
  write_all(f, s);
  EXPECT_THROW(AuditWriter w(f, key()), AuditError);
}

TEST(AuditLog, ReservedKeysAreRefused) {
  TempDir d;
  AuditWriter w(d.path() / "audit.jsonl", key());
  AuditEntry e;
  e.action = "deposit";
  e.add("mac", "x");
  EXPECT_THROW(w.append(e), std::invalid_argument);
  AuditEntry k;
  k.action = "deposit";
  k.add("key", "x");
  EXPECT_THROW(w.append(k), std::invalid_argument);
}

// --- the projection -------------------------------------------------------

Journal::Options journal_opts(const fs::path& dir) {
  Journal::Options o;
  o.dir = dir;
  o.fsync = FsyncPolicy::kNone;
  return o;
}

void write_journal(const fs::path& dir, const std::vector<BookEvent>& events) {
  auto j = Journal::open(journal_opts(dir));
  j->start();
  for (const BookEvent& e : events) {
    std::string payload;
    encode_event(e, payload);
    j->append(static_cast<uint16_t>(event_type(e)), payload, {});
  }
  j->stop();
}

std::string fake_mask(std::string_view a) { return "u_masked_" + std::to_string(a.size()); }

BookEvent deposit(const std::string& acct, int64_t amount) {
  MoneyMoved m;
  m.account = acct;
  m.amount = amount;
  m.reason = TransferReason::kDeposit;
  m.at_ns = kT0;
  return m;
}

BookEvent bet(uint64_t id, const std::string& acct) {
  BetAccepted b;
  b.bet_id = id;
  b.account = acct;
  b.selection_id = 1011;
  b.stake = 500;
  b.odds = 21000;
  b.odds_requested = 20000;
  b.placed_ns = kT0;
  b.accepted_ns = kT0 + 5;
  parse_trace_id("0af7651916cd43dd8448eb211c80319c", b.trace_id);
  return b;
}

BookEvent suspend(uint64_t market) {
  MarketStatusSet s;
  s.market_id = market;
  s.status = 1;
  s.reason = "VAR check";
  s.actor = "operator:trader";
  s.at_ns = kT0;
  return s;
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(AuditProjection, RecordsEachActionWithMaskedAccounts) {
  TempDir d;
  fs::path j = d.path() / "journal", f = d.path() / "audit.jsonl";
  StakeCapSet cap;
  cap.market_id = 101;
  cap.cap = 2000;
  cap.actor = "system";
  EventStateSet st;
  st.event_id = 1;
  st.state = 2;
  st.actor = "operator:trader";
  Rejected rej;
  rej.code = static_cast<uint16_t>(ErrorCode::kMarketSuspended);
  rej.idem.key = "web:client-key-alice";
  write_journal(j, {deposit("alice", 1000), price(), bet(1, "alice"), suspend(101), cap, st, rej});
  AuditProjection p(f, j, key(), fake_mask, "GBP");
  EXPECT_EQ(p.catch_up(), 7u);
  std::string s = read_all(f);
  EXPECT_EQ(s.find("alice"), std::string::npos) << s;
  for (const char* a : {"deposit", "bet_accepted", "market_status_set", "stake_cap_set", "event_state_set",
                        "bet_rejected"})
    EXPECT_EQ(count(s, std::string("\"action\":\"") + a + "\""), 1u) << a;
  EXPECT_EQ(count(s, "\"seq\":"), 6u);  // the price is not audited
  EXPECT_NE(s.find(R"("account":"u_masked_5")"), std::string::npos);
  EXPECT_NE(s.find(R"("status":"suspended","reason":"VAR check","actor":"operator:trader")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"("code":"MARKET_SUSPENDED","status":409,"caller":"web")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"("odds":"2.1")"), std::string::npos) << s;
  EXPECT_TRUE(verify_audit_file(f, key()).ok);
}

TEST(AuditProjection, RestartContinuesTheChainWithoutDuplicates) {
  TempDir d;
  fs::path j = d.path() / "journal", f = d.path() / "audit.jsonl";
  write_journal(j, {deposit("alice", 1000), bet(1, "alice"), price()});
  {
    AuditProjection p(f, j, key(), fake_mask, "GBP");
    p.catch_up();
    p.catch_up();  // idempotent within one object
  }
  EXPECT_EQ(verify_audit_file(f, key()).records, 2u);
  {
    AuditProjection p(f, j, key(), fake_mask, "GBP");  // nothing new: nothing written
    p.catch_up();
  }
  EXPECT_EQ(verify_audit_file(f, key()).records, 2u);
  write_journal(j, {suspend(101), bet(2, "bob"), price()});
  {
    AuditProjection p(f, j, key(), fake_mask, "GBP");
    p.start();
    p.poke();
    p.stop();
    p.catch_up();
  }
  AuditVerifyResult r = verify_audit_file(f, key());
  EXPECT_TRUE(r.ok) << r.line << ": " << r.reason;
  EXPECT_EQ(r.records, 4u);
  std::string s = read_all(f);
  EXPECT_EQ(count(s, "\"bet_id\":1,"), 1u);
  EXPECT_EQ(count(s, "\"bet_id\":2,"), 1u);
  for (int seq = 1; seq <= 5; ++seq)
    EXPECT_EQ(count(s, "\"journal_seq\":" + std::to_string(seq) + ","), seq == 3 ? 0u : 1u) << seq;

  // A deleted audit file is rebuilt from the whole journal, byte for byte.
  fs::remove(f);
  {
    AuditProjection p(f, j, key(), fake_mask, "GBP");
    p.catch_up();
  }
  EXPECT_EQ(read_all(f), s);
}

TEST(AuditProjection, BadAuditFileStallsAndThrowsButNeverSkips) {
  TempDir d;
  fs::path j = d.path() / "journal", f = d.path() / "audit.jsonl";
  write_journal(j, {deposit("alice", 1000)});
  write_all(f, "garbage\n");
  AuditProjection p(f, j, key(), fake_mask, "GBP");
  EXPECT_THROW(p.catch_up(), AuditError);
  EXPECT_EQ(read_all(f), "garbage\n");
}

}  // namespace
}  // namespace inplay
