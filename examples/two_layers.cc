// Builds a two-layer OCI image through fauxroot's embedding API, as an image
// builder would: a base layer with a busybox and an owned home, then a layer
// with a set-user-ID tool and a device node.
//
//   two_layers WORKDIR     (as any user; writes WORKDIR/db, rootfs, image)
#include <fauxroot/session.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: two_layers WORKDIR\n");
    return 2;
  }
  const std::string work = argv[1];
  const std::string rootfs = work + "/rootfs";
  auto session = fauxroot::Session::Open(work + "/db");
  fauxroot::SessionError error;

  auto step = [&](const std::string& script) {
    int status = session->Run({.command = {"/bin/sh", "-c", script}}, &error);
    if (status != 0) std::fprintf(stderr, "step failed (%d): %s\n", status, error.message.c_str());
    return status == 0;
  };
  if (!step("set -e; mkdir -p " + rootfs + "/bin " + rootfs + "/home/user " + rootfs +
            "/etc; cp /bin/busybox " + rootfs + "/bin/; chown 1000:1000 " + rootfs +
            "/home/user; echo 'root:x:0:0::/:/bin/sh' > " + rootfs + "/etc/passwd")) {
    return 1;
  }
  if (!session->Commit(rootfs, &error)) {
    std::fprintf(stderr, "commit: %s\n", error.message.c_str());
    return 1;
  }
  if (!step("set -e; mkdir -p " + rootfs + "/dev; cp /bin/busybox " + rootfs +
            "/bin/tool; chmod 4755 " + rootfs + "/bin/tool; mknod " + rootfs + "/dev/null c 1 3")) {
    return 1;
  }
  auto digest = session->Export(
      {.rootfs = rootfs, .oci = work + "/image:two", .config = {"Cmd=[\"/bin/busybox\",\"sh\"]"}},
      &error);
  if (!digest) {
    std::fprintf(stderr, "export: %s\n", error.message.c_str());
    return 1;
  }
  std::printf("%s\n", digest->c_str());
  return 0;
}
