// Incident codec: an Incident (with its actions, what they changed and its
// timeline) as one JSON document and back, so incidents are journaled
// (IncidentSaved) and survive a restart. decode(encode(i)) == i for every
// field; unknown fields are ignored and missing ones keep their defaults, so
// an older snapshot still loads after fields are added. Pure functions.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include "playbook/incident.h"

namespace inplay {

class IncidentDecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encode_incident(const Incident& i);
// Throws IncidentDecodeError on text that is not an incident snapshot.
Incident decode_incident(std::string_view json);

}  // namespace inplay
