// Builders that already call a fakeroot: fakeroot's command line, its -s/-i
// state files (ours and fakeroot's own), and dpkg-buildpackage -rfauxroot.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

std::string BinDir() {
  const std::string& binary = FauxrootBinary();
  return binary.substr(0, binary.rfind('/'));
}

RunSpec AsUser(const ScratchDir& dir) {
  RunSpec spec{.cwd = dir.path()};
  if (IsRoot()) spec.as_user = kNobody;
  return spec;
}

TEST(FakerootCompatTest, SaveAndLoadState) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r =
      RunProcess({FauxrootBinary(), "--fakeroot-compat", "-s", "state", "--", "sh", "-c",
                  "touch f; chown 5:6 f; mknod d c 1 3; echo $FAKED_MODE; "
                  "test -n \"$FAKEROOTKEY\" && echo key"},
                 AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "unknown-is-root\nkey\n");
  r = RunProcess({FauxrootBinary(), "--fakeroot-compat", "-i", "state", "stat", "-c",
                  "%n %u %g %F %t,%T", "f", "d"},
                 AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "f 5 6 regular empty file 0,0\nd 0 0 character special file 1,3\n");
  // Nested: runs the command as it is.
  r = RunProcess({FauxrootBinary(), "--fakeroot-compat", "--", "sh", "-c",
                  FauxrootBinary() + " --fakeroot-compat -- id -u"},
                 AsUser(dir));
  EXPECT_EQ(r.out, "0\n") << r.err;
  r = RunProcess({FauxrootBinary(), "--fakeroot-compat", "-x"}, AsUser(dir));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown option -x"), std::string::npos);
  r = RunProcess({FauxrootBinary(), "--fakeroot-compat", "-l", "libfakeroot.so", "-b", "3",
                  "--faked", "faked", "-u", "true"},
                 AsUser(dir));
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(FakerootCompatTest, ReadsFakerootsOwnSaveFiles) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r = RunProcess({"fakeroot", "-s", "fakeroot.state", "--", "sh", "-c",
                                "touch g; chown 9:10 g; mknod blk b 8 1"},
                               AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunProcess({FauxrootBinary(), "--fakeroot-compat", "-i", "fakeroot.state", "stat", "-c",
                  "%n %u %g %F %t,%T", "g", "blk"},
                 AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "g 9 10 regular empty file 0,0\nblk 0 0 block special file 8,1\n");
}

// A package whose debian/rules chowns to other users and makes a set-user-ID
// binary, built with dpkg-buildpackage -rfauxroot by an unprivileged user.
TEST(BuildersTest, DpkgBuildpackageWithFauxrootAsGainRootCommand) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r = RunShell(R"sh(set -e
mkdir -p src/debian/source
cd src
echo '3.0 (native)' > debian/source/format
cat > debian/control <<'CONTROL'
Source: fauxpkg
Section: misc
Priority: optional
Maintainer: fauxroot tests <tests@example.invalid>
Rules-Requires-Root: binary-targets

Package: fauxpkg
Architecture: all
Description: rules that chown and set a set-user-ID bit
 A test package.
CONTROL
cat > debian/changelog <<'CHANGES'
fauxpkg (1.0) unstable; urgency=low

  * Test.

 -- fauxroot tests <tests@example.invalid>  Thu, 01 Jan 2026 00:00:00 +0000
CHANGES
printf '%s\n' '#!/usr/bin/make -f' \
  'build build-arch build-indep:' '	true' \
  'clean:' '	rm -rf debian/tmp debian/files' \
  'binary binary-arch binary-indep:' \
  '	rm -rf debian/tmp' \
  '	mkdir -p debian/tmp/DEBIAN debian/tmp/usr/bin debian/tmp/var/lib/fauxpkg debian/tmp/etc' \
  '	cp /bin/true debian/tmp/usr/bin/fauxsuid' \
  '	chmod 4755 debian/tmp/usr/bin/fauxsuid' \
  '	chown 7:8 debian/tmp/var/lib/fauxpkg' \
  '	echo x > debian/tmp/etc/fauxpkg.conf; chown 0:42 debian/tmp/etc/fauxpkg.conf; chmod 640 debian/tmp/etc/fauxpkg.conf' \
  '	dpkg-gencontrol -Pdebian/tmp' \
  '	dpkg-deb --build debian/tmp ..' > debian/rules
chmod 755 debian/rules
)sh",
                             AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunShell("cd src && PATH=" + BinDir() +
                   ":$PATH HOME=$PWD dpkg-buildpackage -rfauxroot -us -uc -b >../build.log 2>&1 "
                   "|| { tail -30 ../build.log; exit 1; }",
               AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  r = RunShell(
      "dpkg-deb --fsys-tarfile fauxpkg_1.0_all.deb | tar tv --numeric-owner | "
      "awk '{print $1, $2, $6}' | sort -k3",
      AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("-rwsr-xr-x 0/0 ./usr/bin/fauxsuid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("drwxr-xr-x 7/8 ./var/lib/fauxpkg/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-rw-r----- 0/42 ./etc/fauxpkg.conf"), std::string::npos) << r.out;
}

// The embedding API, installed with `cmake --install`, found by an outside
// project with find_package(fauxroot): examples/two_layers (C++) builds a
// two-layer image and examples/one_layer (C) a one-layer one, as an unprivileged user.
TEST(ApiTest, TheExampleLinksAgainstTheInstalledPackageAndBuildsTwoLayers) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  const std::string prefix = dir.path() + "/prefix", build = dir.path() + "/example";
  ProcessResult r = RunShell("cmake --install " PROJECT_BINARY_DIR " --prefix " + prefix +
                                 " >/dev/null && cmake -S " PROJECT_SOURCE_DIR "/examples -B " +
                                 build + " -DCMAKE_PREFIX_PATH=" + prefix +
                                 // A sanitized library needs a sanitized program.
                                 (std::string(FAUXROOT_SANITIZE).empty()
                                      ? std::string()
                                      : " -DCMAKE_CXX_FLAGS=-fsanitize=" FAUXROOT_SANITIZE
                                        " -DCMAKE_C_FLAGS=-fsanitize=" FAUXROOT_SANITIZE) +
                                 " >/dev/null && cmake --build " + build +
                                 " >/dev/null && chmod -R a+rX " + dir.path(),
                             {.timeout_seconds = 300});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ASSERT_EQ(RunShell("mkdir work && chmod 777 work", {.cwd = dir.path()}).status, 0);
  r = RunProcess({build + "/two_layers", dir.path() + "/work"}, AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("sha256:")) << r.out;
  r = RunShell(
      "/usr/bin/python3 -c 'import json; i=json.load(open(\"work/image/index.json\")); "
      "m=json.load(open(\"work/image/blobs/sha256/\"+i[\"manifests\"][0][\"digest\"][7:])); "
      "print(len(m[\"layers\"]))' && " PROJECT_SOURCE_DIR
      "/packaging/image-files.py work/image:two /bin/tool /home/user /dev/null",
      {.cwd = dir.path()});
  EXPECT_EQ(r.out,
            "2\n-rwsr-xr-x root:0 (0:0) /bin/tool\ndrwxr-xr-x 1000:1000 (1000:1000) /home/user\n"
            "crw-r--r-- root:0 (0:0) /dev/null device 1,3\n");

  // The C interface: examples/one_layer.c.
  ASSERT_EQ(RunShell("mkdir c-work && chmod 777 c-work", {.cwd = dir.path()}).status, 0);
  r = RunProcess({build + "/one_layer", dir.path() + "/c-work"}, AsUser(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("sha256:")) << r.out;
  r = RunShell(PROJECT_SOURCE_DIR "/packaging/image-files.py c-work/image:one /bin/tool /home/user",
               {.cwd = dir.path()});
  EXPECT_EQ(r.out, "-rwsr-xr-x 0:0 (0:0) /bin/tool\ndrwxr-xr-x 1000:1000 (1000:1000) /home/user\n");
  // Bad arguments are refused with a message, not a crash.
  r = RunProcess({build + "/one_layer", dir.path() + "/no/such/dir"}, AsUser(dir));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("step failed"), std::string::npos) << r.err;
}

// The Debian package (cpack -G DEB) installs with dpkg, runs for an
// unprivileged user, and its man page renders; then it is removed again.
TEST(PackageTest, TheDebInstallsRunsAndComesOff) {
  if (!IsRoot()) GTEST_SKIP() << "installing a package needs root";
  ProcessResult r = RunShell("cd " PROJECT_BINARY_DIR
                             " && cpack -G DEB >/dev/null && "
                             "ls fauxroot_*_amd64.deb",
                             {.timeout_seconds = 300});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const std::string deb = std::string(PROJECT_BINARY_DIR "/") + r.out.substr(0, r.out.find('\n'));
  r = RunShell("dpkg -i " + deb + " >/dev/null");
  ASSERT_EQ(r.status, 0) << r.err;
  ProcessResult id =
      RunProcess({"/usr/bin/fauxroot", "run", "--", "id", "-u"}, {.as_user = kNobody});
  ProcessResult man = RunShell("man fauxroot 2>/dev/null | grep -c 'fake root'");
  ProcessResult removed = RunShell("dpkg -r fauxroot >/dev/null && test ! -e /usr/bin/fauxroot");
  EXPECT_EQ(id.status, 0) << id.err;
  EXPECT_EQ(id.out, "0\n");
  EXPECT_NE(man.out, "0\n");
  EXPECT_EQ(removed.status, 0) << removed.err;
}

}  // namespace
}  // namespace fauxroot::testing
