#include "cli/db_command.h"

#include <stdio.h>

#include "common/log.h"
#include "db/lmdb_store.h"
#include "db/text_format.h"

namespace fauxroot {
namespace {

Result<std::unique_ptr<LmdbStore>> OpenForReading(const std::string& db_dir) {
  LmdbOptions options;
  options.create = false;
  options.read_only = true;
  return LmdbStore::Open(db_dir, options);
}

}  // namespace

int DbDump(const std::string& db_dir) {
  auto store = OpenForReading(db_dir);
  if (!store) {
    Log(LogLevel::kError, "%s", store.error().message().c_str());
    return 1;
  }
  auto done = (*store)->ForEach([](const InodeKey& key, const InodeRecord& record) {
    std::string line = FormatRecordLine(key, record);
    fprintf(stdout, "%s\n", line.c_str());
  });
  if (!done) {
    Log(LogLevel::kError, "%s", done.error().message().c_str());
    return 1;
  }
  if (fflush(stdout) != 0) {
    Log(LogLevel::kError, "write dump: %s", Error(errno, "stdout").message().c_str());
    return 1;
  }
  return 0;
}

int DbStats(const std::string& db_dir) {
  auto store = OpenForReading(db_dir);
  if (!store) {
    Log(LogLevel::kError, "%s", store.error().message().c_str());
    return 1;
  }
  auto count = (*store)->Count();
  if (!count) {
    Log(LogLevel::kError, "%s", count.error().message().c_str());
    return 1;
  }
  printf("db: %s\nschema: %d\nrecords: %zu\n", db_dir.c_str(), LmdbStore::kSchemaVersion, *count);
  return 0;
}

}  // namespace fauxroot
