// verify_audit: the audit file against its key and the journal's anchors.
// The projection anchors its head through a stand-in for the engine (the
// anchor is appended to the journal as the engine would), then each kind of
// tampering — a rewritten line, a deleted middle line, a cut tail, a forged
// anchor, the wrong key — fails naming the line; a whole file passes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "journal/events.h"
#include "journal/journal.h"
#include "projection/audit_anchor.h"
#include "projection/audit_projection.h"
#include "projection/audit_verify.h"
#include "telemetry/audit.h"
#include "audit_test_util.h"

namespace inplay {
namespace {

namespace fs = std::filesystem;

using namespace audit_test;

void append_journal(const fs::path& dir, const std::vector<BookEvent>& events) {
  Journal::Options o;
  o.dir = dir;
  o.fsync = FsyncPolicy::kNone;
  auto j = Journal::open(o);
  j->start();
  for (const BookEvent& e : events) {
    std::string payload;
    encode_event(e, payload);
    j->append(static_cast<uint16_t>(event_type(e)), payload, {});
  }
  j->stop();
}

BookEvent deposit(int64_t amount) {
  MoneyMoved m;
  m.account = "alice";
  m.amount = amount;
  m.reason = TransferReason::kDeposit;
  m.at_ns = kT0;
  return m;
}

BookEvent feed_switch() {
  FeedSwitched f;
  f.sport = "football";
  f.from = "football-primary";
  f.to = "football-backup";
  f.actor = "operator:trader";
  f.at_ns = kT0;
  return f;
}

std::string mask(std::string_view a) { return "u_" + std::string(a.size(), 'x'); }

// A book in miniature: journal events, let the projection audit them and
// anchor its head; the anchors it hands over are journaled as the engine
// would (the runtime's opts.anchor).
class AnchoredBook {
 public:
  explicit AnchoredBook(const fs::path& dir) : journal_(dir / "journal"), file_(dir / "audit.jsonl") {}

  void run(const std::vector<BookEvent>& events, bool anchor = true) {
    append_journal(journal_, events);
    std::vector<AuditAnchored> out;
    AuditProjectionOptions o;
    o.anchor = [&out](AuditAnchored a) {
      out.push_back(std::move(a));
      return true;
    };
    AuditProjection p(file_, journal_, key(), mask, "GBP", o);
    p.catch_up();
    if (anchor) {
      EXPECT_TRUE(p.anchor_now());
      EXPECT_FALSE(p.anchor_now());  // one request per head
    }
    std::vector<BookEvent> anchors(out.begin(), out.end());
    append_journal(journal_, anchors);
    p.catch_up();  // reads its anchor back: nothing more to anchor
    if (anchor) EXPECT_FALSE(p.anchor_now());
  }

  AuditReport verify(const AuditKey& k = key()) const { return verify_audit(file_, journal_, k); }
  const fs::path& file() const { return file_; }
  const fs::path& journal() const { return journal_; }

 private:
  fs::path journal_, file_;
};

TEST(AuditVerify, AWholeFileVerifiesAgainstTheJournal) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), price(), deposit(200), feed_switch()});
  b.run({deposit(300), price(), deposit(400)});
  AuditReport r = b.verify();
  EXPECT_TRUE(r.ok) << r.line << ": " << r.reason;
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.anchors, 2u);
  EXPECT_EQ(r.anchored_records, 5u);
  EXPECT_EQ(r.last_anchor_seq, 9u);  // 4 + anchor + 3 + anchor
  EXPECT_EQ(r.journal_last_seq, 9u);
  // The anchors are not themselves audited, and the feed switch is.
  auto lines = read_lines(b.file());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_NE(lines[2].find(R"("action":"feed_switched")"), std::string::npos) << lines[2];
}

TEST(AuditVerify, ARewrittenLineIsNamed) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200), deposit(300)});
  auto lines = read_lines(b.file());
  lines[1].replace(lines[1].find(R"("amount":200)"), 12, R"("amount":900)");
  write_lines(b.file(), lines);
  AuditReport r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.reason, "mac mismatch");
}

TEST(AuditVerify, ADeletedMiddleLineIsNamed) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200), deposit(300), deposit(400)});
  auto lines = read_lines(b.file());
  lines.erase(lines.begin() + 1);
  write_lines(b.file(), lines);
  AuditReport r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 2u);
  EXPECT_NE(r.reason.find("broken chain: prev does not match line 1"), std::string::npos) << r.reason;
}

// A shorter chain is still a chain: only the anchor in the journal shows
// that the file was longer.
TEST(AuditVerify, ACutTailIsNamedByTheAnchor) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200), deposit(300), deposit(400)});
  auto lines = read_lines(b.file());
  lines.resize(2);
  write_lines(b.file(), lines);
  EXPECT_TRUE(verify_audit_file(b.file(), key()).ok);  // the chain alone cannot tell
  AuditReport r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 3u);
  EXPECT_NE(r.reason.find("cut tail: the file ends at line 2 but the journal anchored 4 records at seq 5"),
            std::string::npos)
      << r.reason;
  // Cut to nothing: the same.
  write_lines(b.file(), {});
  r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 1u);
  EXPECT_NE(r.reason.find("cut tail"), std::string::npos) << r.reason;
}

// Past the last anchor the journal still says what is missing, though not
// whether it was cut or never written (a crash before the audit caught up).
TEST(AuditVerify, RecordsPastTheLastAnchorThatAreMissingAreNamed) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200)});
  b.run({deposit(300), deposit(400)}, /*anchor=*/false);
  EXPECT_TRUE(b.verify().ok);
  auto lines = read_lines(b.file());
  lines.resize(3);
  write_lines(b.file(), lines);
  AuditReport r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 4u);
  EXPECT_NE(r.reason.find("missing: the journal's audited record at seq 5 has no line"), std::string::npos)
      << r.reason;
}

TEST(AuditVerify, TheWrongKeyIsNamedAtLineOne) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200)});
  AuditKey other("another-audit-chain-secret-0123456789abc");
  AuditReport r = b.verify(other);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 1u);
  EXPECT_NE(r.reason.find("the wrong audit.chain_secret?"), std::string::npos) << r.reason;
}

// Whoever can write the journal but lacks the key cannot anchor a shorter
// file to cover a cut.
TEST(AuditVerify, AnAnchorWithoutTheKeyIsRefused) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200)});
  AuditAnchored forged = make_audit_anchor(key(), 2, 2, std::string(64, 'f'), kT0);
  forged.mac = AuditKey("attacker-chain-secret-0123456789abcdefgh").mac_hex("x");
  append_journal(b.journal(), {forged});
  AuditReport r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.reason.find("anchor at seq 4 does not verify"), std::string::npos) << r.reason;
}

TEST(AuditVerify, ALineTheJournalDoesNotHaveIsNamed) {
  TempDir d;
  AnchoredBook b(d.path());
  b.run({deposit(100), deposit(200)});
  // A valid, keyed record the journal never had (written with the key).
  {
    AuditWriter w(b.file(), key());
    AuditEntry e;
    e.action = "deposit";
    e.at_ns = kT0;
    e.journal_seq = 99;
    e.add("amount", int64_t{5});
    w.append(e);
    w.flush();
  }
  AuditReport r = b.verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.line, 3u);
  EXPECT_NE(r.reason.find("journal seq 99 is not an audited record of the journal"), std::string::npos)
      << r.reason;
}

// The background thread anchors when due: soon after it starts (nothing was
// anchored yet), then after anchor_every_records or anchor_every; asking
// again for a head already asked for does nothing.
TEST(AuditVerify, TheBackgroundPassAnchorsWhenDue) {
  TempDir d;
  const fs::path j = d.path() / "journal", f = d.path() / "audit.jsonl";
  append_journal(j, {deposit(100), deposit(200)});
  std::mutex mu;
  std::vector<AuditAnchored> out;
  auto anchors = [&] {
    std::lock_guard lk(mu);
    return out;
  };
  AuditProjectionOptions o;
  o.poll_interval = std::chrono::milliseconds(10);
  o.anchor_every = std::chrono::hours(1);
  o.anchor_every_records = 3;
  o.anchor = [&](AuditAnchored a) {
    std::lock_guard lk(mu);
    out.push_back(std::move(a));
    return true;
  };
  AuditProjection p(f, j, key(), mask, "GBP", o);
  p.start();
  for (int i = 0; i < 500 && anchors().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(anchors().size(), 1u);
  EXPECT_EQ(anchors()[0].lines, 2u);
  EXPECT_EQ(anchors()[0].covered_seq, 2u);
  EXPECT_TRUE(audit_anchor_verifies(key(), anchors()[0]));

  // One more record: not due (1 < 3 records, an hour not gone by).
  append_journal(j, {anchors()[0], deposit(300)});
  p.poke();
  for (int i = 0; i < 500 && p.last_seq() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(anchors().size(), 1u);
  // Three more past the anchor: due.
  append_journal(j, {deposit(400), deposit(500)});
  p.poke();
  for (int i = 0; i < 500 && anchors().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  p.stop();
  ASSERT_EQ(anchors().size(), 2u);
  EXPECT_EQ(anchors()[1].lines, 5u);
  EXPECT_EQ(anchors()[1].covered_seq, 6u);
  EXPECT_FALSE(p.anchor_now());  // that head was asked for already
}

}  // namespace
}  // namespace inplay
