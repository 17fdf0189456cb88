// HMAC-SHA256 as lowercase hex: the one keyed MAC of the code base (the
// audit chain's records, the simulated PSPs' callback signatures and the
// book checking them). Thread-safe (OpenSSL's one-shot HMAC()).
#pragma once
#include <string>
#include <string_view>

namespace inplay {

// HMAC-SHA256(key, bytes) as 64 lowercase hex digits. Throws
// std::runtime_error if OpenSSL fails: never an unkeyed or empty answer.
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes);

// Compares two strings in time that depends only on their lengths: a
// signature check must not tell a forger how much of a guess was right.
bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace inplay
