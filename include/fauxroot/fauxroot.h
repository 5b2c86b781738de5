/* fauxroot's C interface: the embedding API of <fauxroot/session.h> for
 * programs in C or other languages with a C FFI. Same library
 * (libfauxroot.so, find_package(fauxroot) -> fauxroot::fauxroot).
 *
 *   fauxroot_session *s = fauxroot_open("state");
 *   const char *argv[] = {"debootstrap", "--variant=minbase", "bookworm", "rootfs", mirror, NULL};
 *   struct fauxroot_step step = {.argv = argv};
 *   char *error = NULL;
 *   int status = fauxroot_run(s, &step, &error);        // the step's exit status
 *   if (fauxroot_commit(s, "rootfs", &error) != 0) ...  // end a layer
 *   struct fauxroot_export_spec out = {.rootfs = "rootfs", .oci = "image:tag"};
 *   char *digest = fauxroot_export(s, &out, &error);    // "sha256:..." for OCI
 *   fauxroot_free(digest);
 *   fauxroot_close(s);
 *
 * Each operation runs in a child process (see session.h); calls block and a
 * session is not thread-safe. Errors: functions that can fail take `char
 * **error`; on failure they store a message there (NUL-terminated, free it
 * with fauxroot_free) when `error` is not NULL. Arrays of strings end with a
 * NULL entry. Structs are zero-initialised by the caller; fields added later
 * go at their end, with zero meaning "as before".
 */
#ifndef FAUXROOT_FAUXROOT_H_
#define FAUXROOT_FAUXROOT_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fauxroot_session fauxroot_session;

struct fauxroot_step {
  const char* const* argv;  /* the command; argv[0] is looked up in PATH */
  const char* root;         /* --root DIR, or NULL */
  const char* const* binds; /* SRC:DST entries, or NULL */
  const char* const* env;   /* NAME=VALUE entries, or NULL */
  const char* workdir;      /* or NULL */
};

struct fauxroot_export_spec {
  const char* rootfs;
  const char* tar;         /* write a tarball here, or NULL */
  const char* oci;         /* LAYOUT[:TAG], or NULL */
  const char* compression; /* "gzip" (NULL), "zstd" or "none" */
  int has_source_date_epoch;
  int64_t source_date_epoch;
  const char* const* config; /* "Env=...", "Cmd=[...]": see `fauxroot export --help` */
};

/* A session on the db in `db_dir` (created on first use); NULL only when out of memory. */
fauxroot_session* fauxroot_open(const char* db_dir);
void fauxroot_close(fauxroot_session* session);

/* Runs a build step; returns its exit status (128+N when killed by signal N;
 * 125 when fauxroot could not run it, with *error set), or -1 for bad arguments. */
int fauxroot_run(fauxroot_session* session, const struct fauxroot_step* step, char** error);

/* Ends a layer of `rootfs`: 0, or -1 with *error set. */
int fauxroot_commit(fauxroot_session* session, const char* rootfs, char** error);

/* Writes the tarball or image; returns the manifest digest for OCI ("" for a
 * tarball), to be freed with fauxroot_free, or NULL with *error set. */
char* fauxroot_export(fauxroot_session* session, const struct fauxroot_export_spec* spec,
                      char** error);

void fauxroot_free(void* pointer);

#ifdef __cplusplus
}
#endif

#endif /* FAUXROOT_FAUXROOT_H_ */
