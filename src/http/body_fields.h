// Body fields: the field readers every strict JSON body parser is built
// from (http/body.h and the simulated world's fault hooks,
// sim/sim_routes.cpp): a whole-body check (MALFORMED_REQUEST when it is not
// one JSON object) and typed readers that name the field in their
// VALIDATION_FAILED error. Thread-safe (one simdjson parser per thread).
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace inplay::body_fields {

namespace sj = simdjson::ondemand;

// VALIDATION_FAILED "<field>: <why>".
Error invalid(std::string_view field, std::string_view why);
// Calls fn(key, value) for each field of the top-level object; fn returns an
// Error to stop. Returns the first error, or a malformed-body error.
using FieldFn = std::function<std::optional<Error>(std::string_view, sj::value)>;
std::optional<Error> each_field(std::string_view body, const FieldFn& fn);
std::optional<Error> get_string(sj::value& v, std::string_view field, std::string& out);
std::optional<Error> get_int(sj::value& v, std::string_view field, int64_t& out, int64_t min, int64_t max);

}  // namespace inplay::body_fields
