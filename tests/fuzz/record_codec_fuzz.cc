// libFuzzer: the db record and key codec never crash on any bytes, and what
// they accept re-encodes to something that decodes the same.
#include <cstdint>
#include <cstdlib>

#include "db/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  if (auto record = fauxroot::DecodeRecord(bytes)) {
    auto again = fauxroot::DecodeRecord(fauxroot::EncodeRecord(*record));
    if (!again || !(*again == *record)) abort();
  }
  if (auto key = fauxroot::DecodeKey(bytes)) {
    auto encoded = fauxroot::EncodeKey(*key);
    if (!std::equal(encoded.begin(), encoded.end(), data)) abort();
  }
  return 0;
}
