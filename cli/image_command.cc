#include "cli/image_command.h"

#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/log.h"
#include "db/lmdb_store.h"
#include "image/exporter.h"
#include "image/importer.h"
#include "shim/user_namespace.h"

namespace fauxroot {
namespace {

int Fail(const Error& error) {
  Log(LogLevel::kError, "%s", error.message().c_str());
  return 1;
}

std::vector<std::string> ParseList(const std::string& value) {
  if (value.starts_with("[")) {
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    if (parsed.is_array()) {
      std::vector<std::string> list;
      for (const auto& item : parsed) {
        if (item.is_string()) list.push_back(item.get<std::string>());
      }
      return list;
    }
  }
  std::vector<std::string> list;
  std::istringstream words(value);
  for (std::string word; words >> word;) list.push_back(word);
  return list;
}

Result<ImageConfig> ParseConfig(const std::vector<std::string>& entries) {
  ImageConfig config;
  for (const std::string& entry : entries) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos)
      return MakeError(0, "--config wants KEY=VALUE, got '" + entry + "'");
    std::string key = entry.substr(0, eq), value = entry.substr(eq + 1);
    if (key == "Env") {
      config.env.push_back(value);
    } else if (key == "Cmd") {
      config.cmd = ParseList(value);
    } else if (key == "Entrypoint") {
      config.entrypoint = ParseList(value);
    } else if (key == "WorkingDir") {
      config.working_dir = value;
    } else if (key == "User") {
      config.user = value;
    } else if (key == "Labels" || key == "Label") {
      size_t inner = value.find('=');
      if (inner == std::string::npos)
        return MakeError(0, "--config Labels wants Labels=NAME=VALUE");
      config.labels[value.substr(0, inner)] = value.substr(inner + 1);
    } else {
      return MakeError(0, "--config: unknown key '" + key +
                              "' (Env, Cmd, Entrypoint, WorkingDir, User, Labels)");
    }
  }
  return config;
}

std::optional<int64_t> SourceDateEpoch(const ImageCommandOptions& options) {
  if (options.source_date_epoch) return *options.source_date_epoch;
  const char* env = getenv("SOURCE_DATE_EPOCH");
  if (env == nullptr || *env == '\0') return std::nullopt;
  char* end;
  long long value = strtoll(env, &end, 10);
  if (*end != '\0' || value < 0) {
    Log(LogLevel::kWarning, "ignoring SOURCE_DATE_EPOCH='%s': not a number of seconds", env);
    return std::nullopt;
  }
  return value;
}

// The db, after entering the user namespace in which the
// invoking user's files are root's (so that files of mode 000 can be read).
Result<std::unique_ptr<LmdbStore>> Prepare(const ImageCommandOptions& options, bool create) {
  if (auto entered = EnterUserNamespace(); !entered) return std::unexpected(entered.error());
  LmdbOptions db;
  db.create = create;
  return LmdbStore::Open(options.db_dir, db);
}

}  // namespace

int ExportCommand(const ImageCommandOptions& options) {
  if (!options.tar && !options.oci) {
    Log(LogLevel::kError, "export needs --tar FILE or --oci LAYOUT[:TAG]");
    return 2;
  }
  auto compression = ParseCompression(options.compression);
  if (!compression) return Fail(compression.error());
  auto config = ParseConfig(options.config);
  if (!config) return Fail(config.error());
  auto store = Prepare(options, false);
  if (!store) return Fail(store.error());
  FakeMetadata metadata(store->get());
  ExportOptions exp;
  exp.rootfs = options.rootfs;
  exp.db_dir = options.db_dir;
  exp.tar_path = options.tar;
  exp.oci = options.oci;
  exp.compression = *compression;
  exp.source_date_epoch = SourceDateEpoch(options);
  exp.config = *config;
  exp.progress = isatty(STDERR_FILENO);
  auto result = Export(metadata, exp);
  if (!result) return Fail(result.error());
  if (options.oci) {
    printf("%s\n", result->manifest_digest.c_str());
    Log(LogLevel::kInfo, "%zu layers, %llu entries in the top one", result->layers,
        static_cast<unsigned long long>(result->entries));
  }
  return 0;
}

int CommitCommand(const ImageCommandOptions& options) {
  auto store = Prepare(options, false);
  if (!store) return Fail(store.error());
  FakeMetadata metadata(store->get());
  auto entries = Commit(metadata, options.db_dir, options.rootfs, SourceDateEpoch(options));
  if (!entries) return Fail(entries.error());
  Log(LogLevel::kInfo, "committed a layer of %llu entries",
      static_cast<unsigned long long>(*entries));
  return 0;
}

}  // namespace fauxroot

namespace fauxroot {

int ImportCommand(const ImageCommandOptions& options) {
  if (options.tar.has_value() == options.oci.has_value()) {
    Log(LogLevel::kError, "import needs exactly one of --tar FILE and --oci LAYOUT[:TAG]");
    return 2;
  }
  auto store = Prepare(options, true);
  if (!store) return Fail(store.error());
  FakeMetadata metadata(store->get());
  ImportOptions imp;
  imp.rootfs = options.rootfs;
  imp.db_dir = options.db_dir;
  imp.tar = options.tar;
  imp.oci = options.oci;
  auto result = Import(metadata, imp);
  if (!result) return Fail(result.error());
  if (auto synced = (*store)->Sync(); !synced) return Fail(synced.error());
  Log(LogLevel::kInfo, "imported %zu layers, %llu entries", result->layers,
      static_cast<unsigned long long>(result->entries));
  return 0;
}

}  // namespace fauxroot
