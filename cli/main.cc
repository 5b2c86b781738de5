// The `fauxroot` command: parses the command line and wires the libraries up.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/db_command.h"
#include "cli/fakeroot_compat.h"
#include "cli/image_command.h"
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

// fakeroot's command line: as `fakeroot`, with --fakeroot-compat, or when the
// first argument is a command rather than one of ours (`dpkg-buildpackage
// -rfauxroot` runs `fauxroot debian/rules binary`).
bool FakerootCompat(int argc, char** argv, int* shift) {
  std::string self = argv[0];
  self = self.substr(self.rfind('/') + 1);
  if (self == "fakeroot") {
    *shift = 1;
    return true;
  }
  if (argc < 2) return false;
  std::string first = argv[1];
  if (first == "--fakeroot-compat") {
    *shift = 2;
    return true;
  }
  static constexpr const char* kOurs[] = {"run", "db", "export", "commit", "import"};
  for (const char* ours : kOurs) {
    if (first == ours) return false;
  }
  *shift = 1;
  return !first.starts_with("-");
}

int main(int argc, char** argv) {
  if (const char* level = getenv("FAUXROOT_LOG")) {
    fauxroot::LogLevel parsed;
    if (fauxroot::ParseLogLevel(level, &parsed)) fauxroot::SetLogLevel(parsed);
  }

  if (int shift = 0; FakerootCompat(argc, argv, &shift)) {
    return fauxroot::FakerootMain(argc - shift, argv + shift);
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

  fauxroot::ImageCommandOptions image_options;
  auto add_db_and_rootfs = [&](CLI::App* command) {
    command->add_option("--db", image_options.db_dir, "the db the build steps wrote")
        ->required()
        ->type_name("DIR");
    command->add_option("--rootfs", image_options.rootfs, "the root directory they built")
        ->required()
        ->type_name("DIR");
    command
        ->add_option("--source-date-epoch", image_options.source_date_epoch,
                     "clamp mtimes (and date the image) to SECONDS; default: $SOURCE_DATE_EPOCH")
        ->type_name("SECONDS");
  };
  CLI::App* export_command = app.add_subcommand(
      "export",
      "write ROOTFS with the owners, devices and attributes of the db as a tar or OCI image");
  add_db_and_rootfs(export_command);
  export_command->add_option("--tar", image_options.tar, "a flat tar of the whole tree")
      ->type_name("FILE");
  export_command
      ->add_option("--oci", image_options.oci,
                   "an OCI image layout (created or added to); TAG defaults to latest")
      ->type_name("LAYOUT[:TAG]");
  export_command->add_option("--compression", image_options.compression, "layer compression")
      ->check(CLI::IsMember({"gzip", "zstd", "none"}))
      ->type_name("gzip|zstd|none");
  export_command
      ->add_option("--config", image_options.config,
                   "image config: Env=NAME=VALUE, Cmd=..., Entrypoint=..., WorkingDir=DIR,\n"
                   "User=USER, Labels=NAME=VALUE (Cmd and Entrypoint: a JSON array or words)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  export_command->footer(
      "Layers: each `fauxroot commit` ends one; export writes the committed layers and a\n"
      "layer of what changed since the last commit.\n\n"
      "Example:\n"
      "  fauxroot export --db state --rootfs rootfs --oci image:bookworm \\\n"
      "      --config Cmd='[\"/bin/bash\"]' --config Env=LANG=C.UTF-8\n");
  CLI::App* commit_command =
      app.add_subcommand("commit", "end a layer: snapshot ROOTFS and keep its changes in the db");
  add_db_and_rootfs(commit_command);

  CLI::App* import_command = app.add_subcommand(
      "import", "unpack an OCI image or a tarball into ROOTFS, recording owners and devices");
  add_db_and_rootfs(import_command);
  import_command->add_option("--tar", image_options.tar, "a root file system tarball")
      ->type_name("FILE");
  import_command->add_option("--oci", image_options.oci, "an OCI image layout; TAG: latest")
      ->type_name("LAYOUT[:TAG]");

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
  try {
    if (export_command->parsed()) return fauxroot::ExportCommand(image_options);
    if (commit_command->parsed()) return fauxroot::CommitCommand(image_options);
    if (import_command->parsed()) return fauxroot::ImportCommand(image_options);
  } catch (const std::exception& e) {
    // nlohmann-json reports malformed input by throwing; this is the edge.
    fauxroot::Log(fauxroot::LogLevel::kError, "%s", e.what());
    return 1;
  }
  return kExitUsage;
}
