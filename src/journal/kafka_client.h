// kafka_client: the small pieces of librdkafka's C++ API the Kafka journal's
// producer and readers share (journal/kafka_journal.cpp,
// journal/kafka_topic_reader.cpp). Internal to src/journal.
//
// make_kafka_conf: a global configuration from properties; a property
// librdkafka refuses throws std::runtime_error naming it.
// KafkaErrorBox: owns a librdkafka Error* for the length of a statement.
// lease_key: the Kafka key that marks a lease record (a leader's heartbeat,
// no journal record): readers skip it, a standby counts it as a sign of life.
#pragma once
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace inplay {

std::unique_ptr<RdKafka::Conf> make_kafka_conf(const std::map<std::string, std::string>& props);

struct KafkaErrorBox {
  std::unique_ptr<RdKafka::Error> e;
  explicit KafkaErrorBox(RdKafka::Error* p) : e(p) {}
  explicit operator bool() const { return e != nullptr; }
  std::string str() const { return e ? e->str() : "ok"; }
};

inline constexpr std::string_view kLeaseKey = "inplay.lease";

}  // namespace inplay
