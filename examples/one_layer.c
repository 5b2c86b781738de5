/* Builds a one-layer OCI image through fauxroot's C interface: a root with a
 * set-user-ID tool and a home owned by a user that does not exist here.
 *
 *   one_layer WORKDIR     (as any user; writes WORKDIR/db, rootfs, image)
 */
#include <fauxroot/fauxroot.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: one_layer WORKDIR\n");
    return 2;
  }
  char db[4096], rootfs[4096], image[4096], script[16384];
  snprintf(db, sizeof db, "%s/db", argv[1]);
  snprintf(rootfs, sizeof rootfs, "%s/rootfs", argv[1]);
  snprintf(image, sizeof image, "%s/image:one", argv[1]);
  snprintf(script, sizeof script,
           "set -e; mkdir -p %s/bin %s/home/user; cp /bin/busybox %s/bin/tool; "
           "chmod 4755 %s/bin/tool; chown 1000:1000 %s/home/user",
           rootfs, rootfs, rootfs, rootfs, rootfs);

  fauxroot_session* session = fauxroot_open(db);
  if (session == NULL) return 1;
  const char* command[] = {"/bin/sh", "-c", script, NULL};
  struct fauxroot_step step = {.argv = command};
  char* error = NULL;
  int status = fauxroot_run(session, &step, &error);
  if (status != 0) {
    fprintf(stderr, "step failed (%d): %s\n", status, error ? error : "");
    fauxroot_free(error);
    fauxroot_close(session);
    return 1;
  }
  struct fauxroot_export_spec spec = {.rootfs = rootfs, .oci = image};
  char* digest = fauxroot_export(session, &spec, &error);
  if (digest == NULL) {
    fprintf(stderr, "export: %s\n", error ? error : "");
    fauxroot_free(error);
    fauxroot_close(session);
    return 1;
  }
  printf("%s\n", digest);
  fauxroot_free(digest);
  fauxroot_close(session);
  return 0;
}
