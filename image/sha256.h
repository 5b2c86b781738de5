// Sha256: incremental SHA-256 (OpenSSL's EVP) giving "sha256:<hex>" digests.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace fauxroot {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  // "sha256:<64 hex digits>"; the object must not be updated afterwards.
  std::string Finish();

  static std::string Of(std::string_view data);

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

}  // namespace fauxroot
