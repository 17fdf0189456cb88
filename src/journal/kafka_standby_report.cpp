// StandbyReport and KafkaStandbyWatch (contract in journal/kafka_standby_report.h).
#include "journal/kafka_standby_report.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <charconv>
#include <fmt/format.h>
#include <map>

#include "journal/kafka_client.h"

namespace inplay {

namespace {

constexpr std::string_view kMagic = "inplay-standby/1";

// What a report's token may hold: visible ASCII (no space).
bool visible(char c) { return c >= 0x21 && c <= 0x7e; }

// Keeps a report's fields one token each.
std::string token(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '=' || !visible(c)) ? '_' : c;
  return out;
}

bool printable(std::string_view s) {
  for (char c : s)
    if (!visible(c)) return false;
  return true;
}

template <typename T>
bool number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

}  // namespace

std::string encode_standby_report(const StandbyReport& r) {
  return fmt::format("{} book={} n={} seq={} hash={} caught_up={} lag={}", kMagic, token(r.book), r.n, r.applied_seq,
                     token(r.state_hash), r.caught_up ? 1 : 0, r.lag);
}

std::optional<StandbyReport> decode_standby_report(std::string_view metadata) {
  std::map<std::string_view, std::string_view> f;
  bool first = true;
  while (!metadata.empty()) {
    const size_t sp = metadata.find(' ');
    std::string_view tok = metadata.substr(0, sp);
    metadata = sp == std::string_view::npos ? std::string_view{} : metadata.substr(sp + 1);
    if (first) {
      if (tok != kMagic) return std::nullopt;
      first = false;
      continue;
    }
    const size_t eq = tok.find('=');
    if (eq == std::string_view::npos || tok.find('=', eq + 1) != std::string_view::npos ||
        !printable(tok) ||  // one token, as encode writes it
        !f.emplace(tok.substr(0, eq), tok.substr(eq + 1)).second)
      return std::nullopt;
  }
  if (first || f.size() != 6) return std::nullopt;
  for (const char* k : {"book", "n", "seq", "hash", "caught_up", "lag"})
    if (!f.count(k)) return std::nullopt;
  StandbyReport r;
  r.book = std::string(f["book"]);
  r.state_hash = std::string(f["hash"]);
  const std::string_view cu = f["caught_up"];
  if (r.book.empty() || !number(f["n"], r.n) || !number(f["seq"], r.applied_seq) || !number(f["lag"], r.lag) ||
      (cu != "0" && cu != "1"))
    return std::nullopt;
  r.caught_up = cu == "1";
  return r;
}

std::string standby_group(const KafkaJournalOptions& k) { return k.transactional_id + ".standby"; }

std::string this_book_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return token(fmt::format("{}/{}", host[0] ? host : "host", static_cast<long>(getpid())));
}

KafkaStandbyWatch::KafkaStandbyWatch(const KafkaJournalOptions& k) : k_(k) {
  auto conf = make_kafka_conf({{"bootstrap.servers", k.brokers},
                               {"group.id", standby_group(k)},  // only read: never joined, never committed to
                               {"enable.auto.commit", "false"},
                               {"reconnect.backoff.max.ms", "1000"}});
  std::string err;
  c_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c_) throw std::runtime_error("kafka journal: standby watch: " + err);
}

KafkaStandbyWatch::~KafkaStandbyWatch() {
  if (c_) c_->close();
}

std::optional<StandbyReport> KafkaStandbyWatch::fetch(int timeout_ms) {
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, k_.topic.c_str(), 0);
  const rd_kafka_resp_err_t err = rd_kafka_committed(c_->c_ptr(), l, timeout_ms);
  const rd_kafka_topic_partition_t& p = l->elems[0];
  std::optional<StandbyReport> r;
  std::string why;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) why = rd_kafka_err2str(err);
  else if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) why = rd_kafka_err2str(p.err);
  else if (p.offset >= 0 && p.metadata && p.metadata_size > 0) {
    r = decode_standby_report(std::string_view(static_cast<const char*>(p.metadata), p.metadata_size));
    if (r) r->offset = p.offset;
  }
  rd_kafka_topic_partition_list_destroy(l);
  if (!why.empty()) throw std::runtime_error(fmt::format("kafka journal: the standby's report on {}: {}", k_.topic, why));
  return r;
}

}  // namespace inplay
