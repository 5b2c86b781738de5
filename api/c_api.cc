// The C interface (include/fauxroot/fauxroot.h) over fauxroot::Session.
#include <stdlib.h>
#include <string.h>

#include <new>
#include <string>
#include <vector>

#include "fauxroot/fauxroot.h"
#include "fauxroot/session.h"

struct fauxroot_session {
  std::unique_ptr<fauxroot::Session> session;
};

namespace {

std::vector<std::string> Strings(const char* const* list) {
  std::vector<std::string> strings;
  for (; list != nullptr && *list != nullptr; ++list) strings.emplace_back(*list);
  return strings;
}

void SetError(char** error, const std::string& message) {
  if (error != nullptr) *error = strdup(message.c_str());
}

}  // namespace

extern "C" {

fauxroot_session* fauxroot_open(const char* db_dir) {
  if (db_dir == nullptr) return nullptr;
  auto* session = new (std::nothrow) fauxroot_session;
  if (session != nullptr) session->session = fauxroot::Session::Open(db_dir);
  return session;
}

void fauxroot_close(fauxroot_session* session) { delete session; }

int fauxroot_run(fauxroot_session* session, const fauxroot_step* step, char** error) {
  if (session == nullptr || step == nullptr || step->argv == nullptr || step->argv[0] == nullptr) {
    SetError(error, "fauxroot_run: no session or no command");
    return -1;
  }
  fauxroot::StepOptions options{.command = Strings(step->argv),
                                .root = step->root != nullptr ? step->root : "",
                                .binds = Strings(step->binds),
                                .env = Strings(step->env),
                                .workdir = step->workdir != nullptr ? step->workdir : ""};
  fauxroot::SessionError failure;
  int status = session->session->Run(options, &failure);
  if (!failure.message.empty()) SetError(error, failure.message);
  return status;
}

int fauxroot_commit(fauxroot_session* session, const char* rootfs, char** error) {
  if (session == nullptr || rootfs == nullptr) {
    SetError(error, "fauxroot_commit: no session or no rootfs");
    return -1;
  }
  fauxroot::SessionError failure;
  if (session->session->Commit(rootfs, &failure)) return 0;
  SetError(error, failure.message);
  return -1;
}

char* fauxroot_export(fauxroot_session* session, const fauxroot_export_spec* spec, char** error) {
  if (session == nullptr || spec == nullptr || spec->rootfs == nullptr ||
      (spec->tar == nullptr && spec->oci == nullptr)) {
    SetError(error, "fauxroot_export: no session, no rootfs, or neither tar nor oci");
    return nullptr;
  }
  fauxroot::ExportSpec options;
  options.rootfs = spec->rootfs;
  options.config = Strings(spec->config);
  if (spec->tar != nullptr) options.tar = spec->tar;
  if (spec->oci != nullptr) options.oci = spec->oci;
  if (spec->compression != nullptr) options.compression = spec->compression;
  if (spec->has_source_date_epoch) options.source_date_epoch = spec->source_date_epoch;
  fauxroot::SessionError failure;
  std::optional<std::string> digest = session->session->Export(options, &failure);
  if (!digest) {
    SetError(error, failure.message);
    return nullptr;
  }
  return strdup(digest->c_str());
}

void fauxroot_free(void* pointer) { free(pointer); }

}  // extern "C"
