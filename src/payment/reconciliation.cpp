#include "payment/reconciliation.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace inplay {

namespace {

constexpr std::string_view kHeader = "psp_ref,payment_id,kind,amount_minor,currency,status,created_ms";
constexpr size_t kColumns = 7;

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

bool to_int(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool plain(std::string_view s) {  // a value the report writes unquoted
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '~' || c == ':' || c == '-'))
      return false;
  return true;
}

Error junk(size_t line, std::string_view what) {
  return Error{ErrorCode::kValidationFailed, fmt::format("settlement report line {}: {}", line, what)};
}

// A row read as written, or what is wrong with it.
std::string read_row(const std::vector<std::string_view>& f, SettlementRow& r) {
  if (f.size() != kColumns) return fmt::format("{} fields, want {}", f.size(), kColumns);
  if (!plain(f[0])) return "psp_ref: empty or not plain text";
  if (!plain(f[1])) return "payment_id: empty or not plain text";
  if (f[2] != "deposit" && f[2] != "payout") return "kind: deposit or payout";
  if (!to_int(f[3], r.amount_minor) || r.amount_minor <= 0) return "amount_minor: a positive integer";
  if (f[4].size() != 3 || !std::all_of(f[4].begin(), f[4].end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return "currency: three upper-case letters";
  if (f[5] != "authorised" && f[5] != "declined") return "status: authorised or declined";
  if (!to_int(f[6], r.created_ms) || r.created_ms < 0) return "created_ms: a non-negative integer";
  r.psp_ref = f[0];
  r.payment_id = f[1];
  r.kind = f[2];
  r.currency = f[4];
  r.status = f[5];
  return {};
}

std::string_view book_status(const Payment& p) { return payment_status_name(p.status); }

}  // namespace

Result<std::vector<SettlementRow>> parse_settlement_report(std::string_view csv) {
  std::vector<SettlementRow> rows;
  size_t line_no = 0;
  bool header = false;
  while (!csv.empty()) {
    size_t nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view{} : csv.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!header) {
      if (line != kHeader) return junk(line_no, fmt::format("the header must be {}", kHeader));
      header = true;
      continue;
    }
    if (line.empty()) {
      if (csv.empty()) break;  // the final newline
      return junk(line_no, "an empty line");
    }
    SettlementRow r;
    std::string wrong = read_row(split(line), r);
    if (!wrong.empty()) return junk(line_no, wrong);
    rows.push_back(std::move(r));
  }
  if (!header) return junk(1, "no header: an empty report");
  return rows;
}

const char* mismatch_kind_name(MismatchKind k) {
  switch (k) {
    case MismatchKind::kDuplicate: return "duplicate";
    case MismatchKind::kUnknownAtBook: return "unknown_at_book";
    case MismatchKind::kMissingAtPsp: return "missing_at_psp";
    case MismatchKind::kStatus: return "status";
    case MismatchKind::kAmount: return "amount";
    case MismatchKind::kKind: return "kind";
  }
  return "";
}

size_t Reconciliation::count(MismatchKind k) const {
  return static_cast<size_t>(std::count_if(mismatches.begin(), mismatches.end(), [k](const Mismatch& m) { return m.kind == k; }));
}

Reconciliation reconcile(const std::string& route, const std::vector<Payment>& book,
                         const std::vector<SettlementRow>& rows, std::string_view currency,
                         const std::set<uint64_t>* authorised_before) {
  Reconciliation out;
  out.rows = rows.size();
  std::map<uint64_t, const Payment*> ours;
  std::map<uint64_t, const Payment*> elsewhere;  // the book's, on another route
  for (const Payment& p : book) (p.route == route ? ours : elsewhere)[p.id] = &p;
  out.book_payments = ours.size();

  std::map<uint64_t, std::vector<const SettlementRow*>> by_payment;
  std::vector<std::pair<std::string, const SettlementRow*>> unknown;
  for (const SettlementRow& r : rows) {
    uint64_t id = 0;
    auto [p, ec] = std::from_chars(r.payment_id.data(), r.payment_id.data() + r.payment_id.size(), id);
    const bool numeric = ec == std::errc() && p == r.payment_id.data() + r.payment_id.size() && id > 0 &&
                         r.payment_id[0] != '0';
    if (numeric && ours.count(id)) by_payment[id].push_back(&r);
    else unknown.emplace_back(r.payment_id, &r);
  }

  auto add = [&](MismatchKind k, std::string id, std::vector<const SettlementRow*> rs, std::string detail) {
    Mismatch m{k, std::move(id), {}, std::move(detail)};
    for (const SettlementRow* r : rs) m.psp_refs.push_back(r->psp_ref);
    out.mismatches.push_back(std::move(m));
  };

  for (const auto& [id, pay] : ours) {
    const Payment& p = *pay;
    auto it = by_payment.find(id);
    const std::string pid = std::to_string(id);
    if (it == by_payment.end()) {
      if (p.status == PaymentStatus::kAuthorised && (!authorised_before || authorised_before->count(id)))
        add(MismatchKind::kMissingAtPsp, pid, {}, "authorised at the book, not in the PSP's report");
      continue;
    }
    const auto& rs = it->second;
    ++out.held;
    if (rs.size() > 1) {
      ++out.duplicates;
      add(MismatchKind::kDuplicate, pid, rs, fmt::format("held {} times at the PSP", rs.size()));
      continue;
    }
    ++out.held_once;
    const SettlementRow& r = *rs.front();
    bool agrees = true;
    if (r.kind != psp_kind_name(p.kind)) {
      agrees = false;
      add(MismatchKind::kKind, pid, rs, fmt::format("book {}, PSP {}", psp_kind_name(p.kind), r.kind));
    }
    if (r.amount_minor != p.amount || r.currency != currency) {
      agrees = false;
      add(MismatchKind::kAmount, pid, rs,
          fmt::format("book {} {}, PSP {} {}", p.amount, currency, r.amount_minor, r.currency));
    }
    if (!p.final()) {
      ++out.unsettled;  // the PSP's word has not reached the book yet
      continue;
    }
    if (book_status(p) != r.status) {
      agrees = false;
      add(MismatchKind::kStatus, pid, rs, fmt::format("book {}, PSP {}", book_status(p), r.status));
    }
    if (agrees) ++out.matched;
  }
  for (auto& [pid, r] : unknown) {
    uint64_t id = 0;
    std::from_chars(pid.data(), pid.data() + pid.size(), id);
    add(MismatchKind::kUnknownAtBook, pid, {r},
        elsewhere.count(id) ? "the book sent this payment to another route" : "the book never asked for this payment");
  }
  std::stable_sort(out.mismatches.begin(), out.mismatches.end(), [](const Mismatch& a, const Mismatch& b) {
    if (a.payment_id.size() != b.payment_id.size()) return a.payment_id.size() < b.payment_id.size();
    if (a.payment_id != b.payment_id) return a.payment_id < b.payment_id;
    return a.kind < b.kind;
  });
  return out;
}

}  // namespace inplay
