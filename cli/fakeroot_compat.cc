#include "cli/fakeroot_compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/run_command.h"
#include "common/log.h"
#include "db/lmdb_store.h"
#include "db/text_format.h"

namespace fauxroot {
namespace {

constexpr char kUsage[] =
    "usage: fakeroot [-l|--lib LIB] [--faked BIN] [-s|--save-file FILE] [-i|--load-file FILE]\n"
    "                [-u|--unknown-is-real] [-b|--fd-base FD] [-h|--help] [-v|--version]\n"
    "                [--] [COMMAND [ARGS...]]\n"
    "fauxroot's fakeroot: runs COMMAND (default $SHELL) as fake root. -s/-i save and load\n"
    "the fake metadata; -l, --faked, -b and -u are accepted and have no effect.\n";

struct CompatOptions {
  std::optional<std::string> save, load;
  std::vector<std::string> command;
};

// Parses fakeroot's options; returns the exit code on -h/-v/errors.
std::optional<int> Parse(int argc, char** argv, CompatOptions* options) {
  int i = 0;
  auto value = [&](const char* flag) -> std::optional<std::string> {
    if (i + 1 >= argc) {
      fprintf(stderr, "fakeroot: %s needs an argument\n%s", flag, kUsage);
      return std::nullopt;
    }
    return std::string(argv[++i]);
  };
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "-h" || arg == "--help") {
      fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "-v" || arg == "--version") {
      printf("fakeroot version 1.31 (fauxroot)\n");
      return 0;
    }
    if (arg == "-s" || arg == "--save-file") {
      options->save = value(arg.c_str());
      if (!options->save) return 2;
    } else if (arg == "-i" || arg == "--load-file") {
      options->load = value(arg.c_str());
      if (!options->load) return 2;
    } else if (arg == "-l" || arg == "--lib" || arg == "--faked" || arg == "-b" ||
               arg == "--fd-base") {
      if (!value(arg.c_str())) return 2;
      Log(LogLevel::kInfo, "fakeroot option %s has no effect under fauxroot", arg.c_str());
    } else if (arg == "-u" || arg == "--unknown-is-real") {
      Log(LogLevel::kInfo, "fakeroot option %s has no effect under fauxroot", arg.c_str());
    } else if (arg.starts_with("-") && arg.size() > 1) {
      fprintf(stderr, "fakeroot: unknown option %s\n%s", arg.c_str(), kUsage);
      return 2;
    } else {
      break;
    }
  }
  for (; i < argc; ++i) options->command.push_back(argv[i]);
  if (options->command.empty()) {
    const char* shell = getenv("SHELL");
    options->command.push_back(shell != nullptr && *shell ? shell : "/bin/sh");
  }
  return std::nullopt;
}

// fakeroot's -s lines carry the whole mode; a device's type is what matters.
Result<size_t> Load(LmdbStore& store, const std::string& file) {
  std::ifstream in(file);
  if (!in) return ErrnoError("-i " + file);
  size_t count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto parsed = ParseRecordLine(line);
    if (!parsed) return std::unexpected(parsed.error());
    auto& [key, record] = *parsed;
    // fakeroot's own lines: "dev=%llx,ino=%llu,mode=%llo,uid=%llu,gid=%llu,nlink=%llu,rdev=%llu"
    // -- the whole mode, and rdev in decimal.
    if (size_t at = line.find("mode=");
        at != std::string::npos && line.find("nlink=") != std::string::npos) {
      unsigned long mode = strtoul(line.c_str() + at + 5, nullptr, 8);
      size_t rdev_at = line.find("rdev=");
      record.rdev =
          rdev_at == std::string::npos ? 0 : strtoull(line.c_str() + rdev_at + 5, nullptr, 10);
      if (S_ISCHR(mode) || S_ISBLK(mode)) {
        record.type = mode & S_IFMT;
      } else {
        record.rdev = 0;  // an ordinary file's rdev says nothing
      }
    }
    if (record.IsDefault()) continue;
    if (auto put = store.Put(key, record); !put) return std::unexpected(put.error());
    ++count;
  }
  return count;
}

Result<void> Save(LmdbStore& store, const std::string& file) {
  std::ofstream out(file, std::ios::trunc);
  if (!out) return ErrnoError("-s " + file);
  auto done = store.ForEach([&](const InodeKey& key, const InodeRecord& record) {
    out << FormatRecordLine(key, record) << '\n';
  });
  if (!done) return done;
  out.flush();
  if (!out) return ErrnoError("-s " + file);
  return {};
}

}  // namespace

int FakerootMain(int argc, char** argv) {
  CompatOptions options;
  if (auto code = Parse(argc, argv, &options)) return *code;
  if (getenv("FAKEROOTKEY") != nullptr) {
    // Already fake root: run the command as it is, as a nested fakeroot does.
    std::vector<char*> args;
    for (std::string& a : options.command) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    fprintf(stderr, "fakeroot: cannot run %s: %s\n", args[0], strerror(errno));
    return errno == ENOENT ? 127 : 126;
  }

  const char* tmp = getenv("TMPDIR");
  std::string db = std::string(tmp && *tmp ? tmp : "/tmp") + "/fauxroot-fakeroot-XXXXXX";
  if (mkdtemp(db.data()) == nullptr) {
    Log(LogLevel::kError, "%s", Error(errno, "create a temporary db").message().c_str());
    return 1;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{db};
  if (options.load) {
    auto store = LmdbStore::Open(db);
    if (!store) return Log(LogLevel::kError, "%s", store.error().message().c_str()), 1;
    auto loaded = Load(**store, *options.load);
    if (!loaded) return Log(LogLevel::kError, "%s", loaded.error().message().c_str()), 1;
  }

  RunOptions run;
  run.db_dir = db;
  run.command = options.command;
  run.env = {"FAKEROOTKEY=" + std::to_string(getpid()), "FAKED_MODE=unknown-is-root"};
  int status = RunCommand(run);

  if (options.save) {
    LmdbOptions read_only;
    read_only.read_only = true;
    read_only.create = false;
    auto store = LmdbStore::Open(db, read_only);
    if (!store) return Log(LogLevel::kError, "%s", store.error().message().c_str()), 1;
    if (auto saved = Save(**store, *options.save); !saved) {
      Log(LogLevel::kError, "%s", saved.error().message().c_str());
      return status == 0 ? 1 : status;
    }
  }
  return status;
}

}  // namespace fauxroot
