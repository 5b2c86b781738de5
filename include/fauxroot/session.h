// fauxroot's embedding API: what `fauxroot run`, `commit` and `export` do, for
// image builders that link the library instead of running the command.
//
//   auto session = fauxroot::Session::Open("state");          // the db
//   session->Run({.command = {"debootstrap", ...}});         // a build step
//   session->Commit("rootfs");                                // end a layer
//   session->Export({.rootfs = "rootfs", .oci = "image:tag"});
//
// Each operation runs in a child process of the caller: fauxroot enters a user
// namespace, which a process cannot leave, and the caller's own credentials,
// namespaces and signal handling stay untouched. Blocking; not thread-safe
// (one Session per thread). Errors carry a message naming what failed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fauxroot {

struct SessionError {
  int exit_code = 1;    // the child's exit status (125: fauxroot failed, 126/127: exec)
  std::string message;  // what fauxroot printed about it
};

struct StepOptions {
  std::vector<std::string> command;  // argv; looked up in PATH
  std::string root;                  // --root
  std::vector<std::string> binds;    // SRC:DST
  std::vector<std::string> env;      // NAME=VALUE
  std::string workdir;
};

struct ExportSpec {
  std::string rootfs;
  std::optional<std::string> tar;
  std::optional<std::string> oci;    // LAYOUT[:TAG]
  std::string compression = "gzip";  // gzip, zstd, none
  std::optional<int64_t> source_date_epoch;
  std::vector<std::string> config;  // Env=..., Cmd=..., see `fauxroot export --help`
};

class Session {
 public:
  // Uses (or creates) the db in `db_dir`.
  static std::unique_ptr<Session> Open(std::string db_dir);

  // Runs a build step; returns its exit status (128+N when killed by signal N),
  // or the error that kept it from running.
  int Run(const StepOptions& step, SessionError* error = nullptr);
  // Ends a layer of `rootfs`. Returns false with `error` set on failure.
  bool Commit(const std::string& rootfs, SessionError* error = nullptr);
  // Writes the tar or OCI image; returns the manifest digest for OCI ("" for tar),
  // or nullopt with `error` set on failure.
  std::optional<std::string> Export(const ExportSpec& spec, SessionError* error = nullptr);

  const std::string& db_dir() const { return db_dir_; }

 private:
  explicit Session(std::string db_dir) : db_dir_(std::move(db_dir)) {}
  std::string db_dir_;
};

}  // namespace fauxroot
