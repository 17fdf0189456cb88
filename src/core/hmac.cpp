// SHA-256 and HMAC-SHA256 (contract in core/hmac.h).
#include "core/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace inplay {

namespace {

// SHA-256 fetched from the default provider once for the process; a fetched
// algorithm may be shared by every thread (openssl-threads(7)). Never freed:
// the contexts that use it live until their threads end.
const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) throw std::runtime_error("SHA-256 is not available from OpenSSL");
    return m;
  }();
  return md;
}

// One digest context per thread, reused by every hash the thread makes.
class ThreadDigest {
 public:
  ThreadDigest() : ctx_(EVP_MD_CTX_new()) {}
  ~ThreadDigest() { EVP_MD_CTX_free(ctx_); }
  ThreadDigest(const ThreadDigest&) = delete;
  ThreadDigest& operator=(const ThreadDigest&) = delete;

  // SHA-256 of the parts one after the other.
  Sha256Digest hash(std::initializer_list<std::string_view> parts) {
    bool ok = ctx_ != nullptr && EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) == 1;
    for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx_, p.data(), p.size()) == 1;
    Sha256Digest d{};
    unsigned len = 0;
    if (!ok || EVP_DigestFinal_ex(ctx_, d.data(), &len) != 1 || len != d.size())
      throw std::runtime_error("SHA-256 failed");
    return d;
  }

 private:
  EVP_MD_CTX* ctx_;
};

Sha256Digest thread_hash(std::initializer_list<std::string_view> parts) {
  thread_local ThreadDigest digest;
  return digest.hash(parts);
}

std::string_view bytes_of(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

std::string hex_of(const Sha256Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * d.size(), '0');
  for (size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0xf];
  }
  return out;
}

}  // namespace

Sha256Digest sha256(std::string_view bytes) { return thread_hash({bytes}); }

Sha256Digest sha256(std::initializer_list<std::string_view> parts) { return thread_hash(parts); }

std::string sha256_hex(std::string_view bytes) { return hex_of(thread_hash({bytes})); }

HmacSha256::HmacSha256(std::string_view key) {
  std::array<uint8_t, kBlock> k{};
  if (key.size() > kBlock) {
    Sha256Digest d = thread_hash({key});
    std::copy(d.begin(), d.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), k.begin());
  }
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad_[i] = static_cast<uint8_t>(k[i] ^ 0x36);
    outer_pad_[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
  }
  OPENSSL_cleanse(k.data(), k.size());
}

HmacSha256::~HmacSha256() {
  OPENSSL_cleanse(inner_pad_.data(), inner_pad_.size());
  OPENSSL_cleanse(outer_pad_.data(), outer_pad_.size());
}

Sha256Digest HmacSha256::mac(std::string_view bytes) const {
  Sha256Digest inner = thread_hash({bytes_of(inner_pad_.data(), kBlock), bytes});
  return thread_hash({bytes_of(outer_pad_.data(), kBlock), bytes_of(inner.data(), inner.size())});
}

std::string HmacSha256::hex(std::string_view bytes) const { return hex_of(mac(bytes)); }

std::string hmac_sha256_hex(std::string_view key, std::string_view bytes) { return HmacSha256(key).hex(bytes); }

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace inplay
