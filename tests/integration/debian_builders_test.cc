// Debian's root builders with fauxroot in place of root or of fakeroot, as uid
// 65534, each against real root building the same package set from the same
// local repository (packaging/debian-repo.sh, made once by the ctest fixture
// debian_repo, offline afterwards):
// - mmdebstrap --mode=root run under `fauxroot run`;
// - mmdebstrap --mode=fakechroot, with fauxroot as the `fakeroot` it calls;
// - fakechroot fakeroot debootstrap --variant=fakechroot, fauxroot as fakeroot.
// The tarballs (or the tree) must carry the same type, mode, owner, device
// numbers, hard links and extended attributes (file capabilities) entry by entry.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

// Set-user-ID binaries and shadow groups (sudo, passwd), a set-group-ID binary
// with a system group (cron), file capabilities (ping).
constexpr char kInclude[] = "iputils-ping,sudo,passwd,cron";
constexpr char kTarListing[] = "/usr/bin/python3 " TESTS_DIR "/integration/tar_listing.py";

// Lines any correct listing of the tarballs has (tests/integration/tar_listing.py).
constexpr const char* kTellingTarLines[] = {
    "\nusr/bin/sudo f 0o4755 0 0 0,0 -> \n",
    "\nusr/bin/crontab f 0o2755 0 101 0,0 -> \n",
    "\netc/shadow f 0o640 0 42 0,0 -> \n",
    "\nusr/bin/ping f 0o755 0 0 0,0 -> security.capability=01000002",
    "\ndev/null c 0o666 0 0 1,3 -> \n",
};

class DebianBuildersTest : public ::testing::Test {
 protected:
  // The repository, copied where uid 65534 can read it (the build tree may not be).
  static void SetUpTestSuite() {
    repo_ = new ScratchDir(0);
    ProcessResult r = RunShell("cp -r " DEBIAN_REPO_DIR "/. " + repo_->path() +
                               "/ && chmod -R a+rX " + repo_->path());
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete repo_;
    repo_ = nullptr;
  }

  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
    ASSERT_TRUE(std::filesystem::exists(repo_->path() + "/dists/bookworm/Release"))
        << "no local repository: run the debian_repo fixture (ctest -L network)";
  }

  static std::string Mmdebstrap(const std::string& mode, const std::string& out,
                                const std::string& extra = "") {
    return "mmdebstrap --mode=" + mode + " --variant=minbase --include=" + kInclude + " " + extra +
           " bookworm " + out + " 'deb [trusted=yes] copy://" + repo_->path() +
           " bookworm main' >log 2>&1 || { grep -v -E '^(Unpacking|Selecting|Preparing|Setting "
           "up|Processing) ' log | tail -40; exit 1; }";
  }

  // The listing of real root's mmdebstrap --mode=root tarball, built once.
  static const std::string& NativeMmdebstrapListing() {
    static std::string listing = [] {
      static ScratchDir dir(0);
      RunSpec spec{.cwd = dir.path(), .timeout_seconds = 900};
      ProcessResult r = RunShell(Mmdebstrap("root", "native.tar"), spec);
      EXPECT_EQ(r.status, 0) << r.out << r.err;
      r = RunShell(std::string(kTarListing) + " native.tar", spec);
      EXPECT_EQ(r.status, 0) << r.err;
      return r.out;
    }();
    return listing;
  }

  static void ExpectSameTarballs(const std::string& native, const std::string& faux) {
    EXPECT_GT(std::ranges::count(native, '\n'), 5000);
    EXPECT_EQ(ListingDifference(native, faux), "");
    for (const char* line : kTellingTarLines) {
      EXPECT_NE(faux.find(line), std::string::npos) << line;
    }
  }

  static ScratchDir* repo_;
};

ScratchDir* DebianBuildersTest::repo_ = nullptr;

RunSpec AsNobody(const ScratchDir& dir) {
  return {
      .as_user = kNobody, .cwd = dir.path(), .timeout_seconds = 900, .env = {"HOME=" + dir.path()}};
}

// The environment that makes fauxroot the `fakeroot` of a fakechroot build: a
// bin directory whose `fakeroot` is fauxroot, first in PATH. A sanitized
// fauxroot also needs ASan told that libfakechroot comes first in LD_PRELOAD.
std::vector<std::string> FauxrootAsFakerootEnv(const ScratchDir& dir) {
  const std::string bin = dir.path() + "/bin";
  ProcessResult r = RunShell("mkdir -p " + bin + " && ln -sf " + FauxrootBinary() + " " + bin +
                             "/fakeroot && chmod -R a+rX " + bin);
  EXPECT_EQ(r.status, 0) << r.err;
  const char* asan = getenv("ASAN_OPTIONS");
  return {"PATH=" + bin + ":/usr/sbin:/usr/bin:/sbin:/bin",
          std::string("ASAN_OPTIONS=") + (asan != nullptr ? std::string(asan) + ":" : "") +
              "verify_asan_link_order=0"};
}

TEST_F(DebianBuildersTest, MmdebstrapRootModeUnderFauxrootRun) {
  const std::string& native = NativeMmdebstrapListing();
  ScratchDir dir(kNobody);
  RunSpec spec = AsNobody(dir);
  // --mode=root mounts devpts with uid=5, which fauxroot makes without the foreign owner.
  ProcessResult r = RunProcess({FauxrootBinary(), "run", "--db", dir.path() + "/db", "--", "sh",
                                "-c", Mmdebstrap("root", "faux.tar")},
                               spec);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  r = RunShell(std::string(kTarListing) + " faux.tar", spec);
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectSameTarballs(native, r.out);
}

TEST_F(DebianBuildersTest, MmdebstrapFakechrootModeWithFauxrootAsFakeroot) {
  const std::string& native = NativeMmdebstrapListing();
  ScratchDir dir(kNobody);
  RunSpec spec = AsNobody(dir);
  for (const std::string& entry : FauxrootAsFakerootEnv(dir)) spec.env.push_back(entry);
  // mmdebstrap re-executes itself as `fakechroot fakeroot mmdebstrap ...`. The
  // hook shows whose fakeroot that was: fauxroot's seccomp filter, no preload
  // but fakechroot's.
  ProcessResult r =
      RunShell(Mmdebstrap("fakechroot", "faux.tar",
                          "--customize-hook='grep ^Seccomp: /proc/self/status > " + dir.path() +
                              "/hook; echo \"$LD_PRELOAD\" >> " + dir.path() + "/hook'"),
               spec);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const std::string hook = ReadFile(dir.path() + "/hook");
  EXPECT_TRUE(hook.starts_with("Seccomp:\t2\n")) << hook;
  EXPECT_NE(hook.find("libfakechroot"), std::string::npos) << hook;
  EXPECT_EQ(hook.find("libfakeroot"), std::string::npos) << hook;
  r = RunShell(std::string(kTarListing) + " faux.tar", spec);
  ASSERT_EQ(r.status, 0) << r.err;
  ExpectSameTarballs(native, r.out);
}

TEST_F(DebianBuildersTest, DebootstrapFakechrootVariantWithFauxrootAsFakeroot) {
  // The fakechroot variant installs fakechroot's replacements (ldd, ldconfig),
  // so the oracle is real root running the same variant under fakechroot.
  const std::string debootstrap =
      std::string("fakechroot ") +
      "debootstrap --variant=fakechroot --no-check-gpg --include=" + kInclude +
      " bookworm root file://" + repo_->path() +
      " >log 2>&1 || { grep -v -E '^(Unpacking|Selecting|Preparing|Setting up|Processing) ' log | "
      "tail -40; exit 1; }";
  const std::string listing =
      "cd root && find . \\( -path ./proc -o -path ./sys \\) -prune -o "
      "-exec stat -c '%n %F %a %u %g %t %T %h' {} + | LC_ALL=C sort && "
      "getcap -r . 2>/dev/null | LC_ALL=C sort";

  ScratchDir native_dir(0);
  RunSpec native{.cwd = native_dir.path(), .timeout_seconds = 900};
  ProcessResult r = RunShell(debootstrap, native);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ProcessResult expected = RunShell(listing, native);
  ASSERT_EQ(expected.status, 0) << expected.err;

  ScratchDir dir(kNobody);
  RunSpec spec = AsNobody(dir);
  for (const std::string& entry : FauxrootAsFakerootEnv(dir)) spec.env.push_back(entry);
  r = RunShell(std::string("fakechroot fakeroot -s state ") + debootstrap.substr(11), spec);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ProcessResult got = RunShell("fakeroot -i state sh -c \"" + listing + "\"", spec);
  ASSERT_EQ(got.status, 0) << got.err;

  EXPECT_GT(std::ranges::count(expected.out, '\n'), 5000);
  EXPECT_EQ(ListingDifference(expected.out, got.out), "");
  for (const char* line :
       {"\n./usr/bin/sudo regular file 4755 0 0 0 0 1\n",
        "\n./etc/shadow regular file 640 0 42 0 0 1\n", "\n./usr/bin/ping cap_net_raw=ep\n"}) {
    EXPECT_NE(got.out.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace fauxroot::testing
