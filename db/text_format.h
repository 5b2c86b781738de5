// The text form of records, one line each, used by `fauxroot db dump` and `db load`:
//
//   dev=fd01,ino=1234,gen=7d20a700da325892,uid=123,gid=456,type=0,rdev=0
//
// dev, gen and rdev are hexadecimal, type is octal (S_IFMT bits, 0 when the
// real type is reported), the rest decimal. Each extended attribute adds a
// field `xattr=NAME:HEXVALUE`. The keys and their spelling follow
// fakeroot's `-s` files where the two overlap (dev, ino, uid, gid, rdev).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "db/ownership_store.h"

namespace fauxroot {

std::string FormatRecordLine(const InodeKey& key, const InodeRecord& record);
Result<std::pair<InodeKey, InodeRecord>> ParseRecordLine(std::string_view line);

}  // namespace fauxroot
