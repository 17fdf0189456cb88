// HMAC-SHA256 (RFC 2104 over SHA-256, OpenSSL's one-shot HMAC()): the one
// place the book keys a MAC — the audit chain (telemetry/audit_key.h) and
// the PSPs' signed callbacks (X-Psp-Signature, docs/payments.md).
#pragma once
#include <string>
#include <string_view>

namespace inplay {

// 64 lowercase hex digits. Throws std::runtime_error if OpenSSL fails
// (never silently unkeyed).
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes);

// Compares two strings in time that depends only on their lengths (a
// signature check must not tell an attacker how much of a guess was right).
bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace inplay
