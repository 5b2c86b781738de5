// libFuzzer: `db load`/`fakeroot -i` lines never crash the parser, and what it
// accepts formats back to a line that parses the same.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "db/text_format.h"
#include "supervisor/posix_acl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = fauxroot::ParseRecordLine(text)) {
    auto again =
        fauxroot::ParseRecordLine(fauxroot::FormatRecordLine(parsed->first, parsed->second));
    if (!again || !(again->first == parsed->first) || !(again->second == parsed->second)) abort();
  }
  // The same bytes as a POSIX ACL xattr value.
  if (auto acl = fauxroot::ParseAcl(text)) {
    if (fauxroot::FormatAcl(*acl) != text) abort();
    fauxroot::ChmodAcl(*acl, 0754);
    if (!fauxroot::ParseAcl(fauxroot::FormatAcl(*acl))) abort();
  }
  return 0;
}
