// The `fauxroot` command: parses the command line and wires the libraries up.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/db_command.h"
#include "cli/run_command.h"
#include "common/log.h"

namespace {

constexpr int kExitUsage = 2;

constexpr char kDescription[] =
    "fauxroot runs build steps as fake root without any privilege: a single-uid user\n"
    "namespace and a seccomp user-notification supervisor record every chown and\n"
    "mknod in an LMDB db, and stat shows them back.";

constexpr char kRunFooter[] =
    "Examples:\n"
    "  fauxroot run -- sh -c 'touch f; chown 1:2 f; ls -ln f'\n"
    "  fauxroot run --db state -- dpkg --root=rootfs -i pkg.deb\n"
    "  fauxroot run --db state --root rootfs -- apt-get install -y iputils-ping\n"
    "  fauxroot db dump --db state\n"
    "\n"
    "Exit status: the command's; 128+N if it was killed by signal N; 125 if fauxroot\n"
    "failed; 126 if the command could not be executed; 127 if it was not found.\n";

// `fauxroot run [OPTIONS] COMMAND [ARGS...]`: everything from COMMAND on belongs
// to the command, options included. CLI11 would parse `make --db x` as our
// --db, so a "--" is inserted before COMMAND when the user wrote none; after
// "--" CLI11 takes every argument as a positional.
std::vector<std::string> SeparateCommand(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto run = std::find(args.begin(), args.end(), "run");
  for (auto it = run == args.end() ? run : run + 1; it != args.end(); ++it) {
    if (*it == "--") break;
    if (*it == "--db" || *it == "--root" || *it == "--bind" || *it == "--env" ||
        *it == "--workdir") {
      if (++it == args.end()) break;
      continue;
    }
    if (!it->starts_with("-")) {
      args.insert(it, "--");
      break;
    }
  }
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* level = getenv("FAUXROOT_LOG")) {
    fauxroot::LogLevel parsed;
    if (fauxroot::ParseLogLevel(level, &parsed)) fauxroot::SetLogLevel(parsed);
  }

  CLI::App app{kDescription, "fauxroot"};
  app.require_subcommand(1);
  int verbose = 0;
  app.add_flag("-v,--verbose", verbose, "more messages on stderr (-vv: every trapped call)");

  fauxroot::RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "run COMMAND as fake root");
  run->add_option("--db", run_options.db_dir,
                  "keep the fake metadata in DIR (an LMDB db, created if missing) across runs;\n"
                  "without it a temporary db is removed at exit")
      ->type_name("DIR");
  run->add_option("--root", run_options.root,
                  "run COMMAND with DIR as its root directory, with /proc, /sys (read-only),\n"
                  "the host's null, zero, full, random, urandom and tty, /etc/resolv.conf and\n"
                  "a fresh /tmp")
      ->type_name("DIR");
  run->add_option("--bind", run_options.binds,
                  "also mount host SRC on DST inside the root (with --root; repeatable)")
      ->type_name("SRC:DST")
      ->allow_extra_args(false);
  run->add_option("--env", run_options.env, "set NAME=VALUE for COMMAND (repeatable)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  run->add_option("--workdir", run_options.workdir, "run COMMAND in DIR (inside the root)")
      ->type_name("DIR");
  run->add_option("command", run_options.command, "the command and its arguments")
      ->required()
      ->type_name("COMMAND [ARGS...]");
  run->footer(kRunFooter);

  CLI::App* db = app.add_subcommand("db", "inspect a fauxroot db");
  db->require_subcommand(1);
  std::string db_dir;
  CLI::App* dump = db->add_subcommand("dump", "print every record, one line each");
  dump->add_option("--db", db_dir, "the db directory")->required()->type_name("DIR");
  CLI::App* stats = db->add_subcommand("stats", "print the number of records");
  stats->add_option("--db", db_dir, "the db directory")->required()->type_name("DIR");

  try {
    std::vector<std::string> args = SeparateCommand(argc, argv);
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (verbose == 1) fauxroot::SetLogLevel(fauxroot::LogLevel::kInfo);
  if (verbose >= 2) fauxroot::SetLogLevel(fauxroot::LogLevel::kDebug);

  if (run->parsed()) return fauxroot::RunCommand(run_options);
  if (dump->parsed()) return fauxroot::DbDump(db_dir);
  if (stats->parsed()) return fauxroot::DbStats(db_dir);
  return kExitUsage;
}
