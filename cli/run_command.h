// `fauxroot run`: runs a command as fake root and records what it does.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fauxroot {

struct RunOptions {
  std::optional<std::string> db_dir;  // none: a temporary db removed at exit
  std::string root;                   // --root
  std::vector<std::string> binds;     // --bind SRC:DST
  std::vector<std::string> env;       // --env NAME=VALUE
  std::string workdir;                // --workdir
  std::vector<std::string> command;
};

// Returns the exit code for fauxroot: the command's own, 128+N when it was
// killed by signal N, 125 when fauxroot itself failed, 126/127 when the command
// could not be executed / found.
int RunCommand(const RunOptions& options);

}  // namespace fauxroot
