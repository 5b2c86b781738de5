// Real package managers over the network, as an unprivileged uid, against real
// root doing the same: debootstrap of Debian bookworm, then apt-get install
// with apt's _apt sandbox on. Label `network`: it reaches the Debian mirror of
// this machine's apt configuration (packaging/debian-mirror.sh).
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

// Packages that exercise file capabilities (ping), set-user-ID binaries and
// shadow groups (sudo, passwd), a set-group-ID binary and a fake group (cron).
constexpr char kPackages[] = "iputils-ping sudo passwd cron";

// type, mode, owner, device numbers of every file, then the capabilities.
constexpr char kListing[] =
    "cd root && find . -xdev \\( -path ./proc -o -path ./sys -o -path ./dev/pts -o -path ./tmp "
    "\\) -prune -o -exec stat -c '%n %F %a %u %g %t %T' {} + | LC_ALL=C sort && "
    "getcap -r . 2>/dev/null | LC_ALL=C sort";

TEST(DebianTest, DebootstrapAndAptMatchRealRoot) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  ProcessResult mirror = RunProcess({PACKAGING_DIR "/debian-mirror.sh"});
  ASSERT_EQ(mirror.status, 0) << mirror.err;
  std::string url = mirror.out.substr(0, mirror.out.find('\n'));
  ScratchDir cache(kNobody), native_dir(0), faux_dir(kNobody);
  const std::string debootstrap = "debootstrap --variant=minbase --cache-dir=" + cache.path() +
                                  " bookworm root " + url +
                                  " >log 2>&1 || { tail -20 log; exit 1; }";
  const std::string install = std::string("apt-get update -q >/dev/null && ") +
                              "DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                              "--no-install-recommends " +
                              kPackages + " >/dev/null";

  RunSpec native{.cwd = native_dir.path(), .timeout_seconds = 900};
  ProcessResult r = RunShell(debootstrap, native);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  r = RunShell(
      "unshare --mount --fork sh -c 'mount -t proc proc root/proc && "
      "mount -t devpts -o newinstance,ptmxmode=0666 devpts root/dev/pts && "
      "mount --bind root/dev/pts/ptmx root/dev/ptmx && "
      "mount --bind /etc/resolv.conf root/etc/resolv.conf && chroot root sh -c \"" +
          install + "\"'",
      native);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  ProcessResult native_listing = RunShell(kListing, native);
  ASSERT_EQ(native_listing.status, 0) << native_listing.err;

  RunSpec faux{.as_user = kNobody,
               .cwd = faux_dir.path(),
               .timeout_seconds = 900,
               .env = {"HOME=" + faux_dir.path()}};
  const std::string db = faux_dir.path() + "/db";
  r = RunProcess({FauxrootBinary(), "run", "--db", db, "--", "sh", "-c", debootstrap}, faux);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  r = RunProcess({FauxrootBinary(), "run", "--db", db, "--root", faux_dir.path() + "/root", "--env",
                  "HOME=/root", "--", "sh", "-c", install},
                 faux);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("unsandboxed"), std::string::npos) << "apt's sandbox was turned off";
  ProcessResult faux_listing =
      RunProcess({FauxrootBinary(), "run", "--db", db, "--", "sh", "-c", kListing}, faux);
  ASSERT_EQ(faux_listing.status, 0) << faux_listing.err;

  EXPECT_EQ(ListingDifference(native_listing.out, faux_listing.out), "");
  EXPECT_GT(std::ranges::count(native_listing.out, '\n'), 5000);
  for (const char* telling :
       {"./usr/bin/sudo regular file 4755 0 0 0 0", "./usr/bin/crontab regular file 2755 0 ",
        "./usr/bin/ping cap_net_raw=ep", "./etc/shadow regular file 640 0 42"}) {
    EXPECT_NE(faux_listing.out.find(std::string("\n") + telling), std::string::npos) << telling;
  }
  RecordProperty("files_compared", static_cast<int>(std::ranges::count(native_listing.out, '\n')));
}

}  // namespace
}  // namespace fauxroot::testing
