// The `fauxroot` command: parses the command line and wires the libraries up.
#include <stdlib.h>

#include <CLI/CLI.hpp>

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
    "  fauxroot run --db state -- dpkg -i --force-not-root --root=rootfs pkg.deb\n"
    "  fauxroot db dump --db state\n"
    "\n"
    "Exit status: the command's; 128+N if it was killed by signal N; 125 if fauxroot\n"
    "failed; 126 if the command could not be executed; 127 if it was not found.";

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
  run->add_option("command", run_options.command, "the command and its arguments")
      ->required()
      ->type_name("COMMAND [ARGS...]");
  run->prefix_command();
  run->footer(kRunFooter);

  CLI::App* db = app.add_subcommand("db", "inspect a fauxroot db");
  db->require_subcommand(1);
  std::string db_dir;
  CLI::App* dump = db->add_subcommand("dump", "print every record, one line each");
  dump->add_option("--db", db_dir, "the db directory")->required()->type_name("DIR");
  CLI::App* stats = db->add_subcommand("stats", "print the number of records");
  stats->add_option("--db", db_dir, "the db directory")->required()->type_name("DIR");

  try {
    app.parse(argc, argv);
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
