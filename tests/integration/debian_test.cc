// Real package managers over the network, as an unprivileged uid, against real
// root doing the same: debootstrap of Debian bookworm, then apt-get install
// with apt's _apt sandbox on. Label `network`: it reaches the Debian mirror of
// this machine's apt configuration (packaging/debian-mirror.sh).
#include <gtest/gtest.h>

#include <set>
#include <sstream>

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

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

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

  std::set<std::string> expected = Lines(native_listing.out), got = Lines(faux_listing.out);
  std::vector<std::string> missing, extra;
  for (const std::string& line : expected) {
    if (!got.count(line)) missing.push_back(line);
  }
  for (const std::string& line : got) {
    if (!expected.count(line)) extra.push_back(line);
  }
  std::string report;
  for (size_t i = 0; i < missing.size() && i < 40; ++i)
    report += "  real root: " + missing[i] + "\n";
  for (size_t i = 0; i < extra.size() && i < 40; ++i) report += "  fauxroot:  " + extra[i] + "\n";
  EXPECT_TRUE(missing.empty() && extra.empty()) << missing.size() << " lines only under real root, "
                                                << extra.size() << " only under fauxroot:\n"
                                                << report;
  EXPECT_GT(expected.size(), 5000u);
  for (const char* telling :
       {"./usr/bin/sudo regular file 4755 0 0 0 0", "./usr/bin/crontab regular file 2755 0 ",
        "./usr/bin/ping cap_net_raw=ep", "./etc/shadow regular file 640 0 42"}) {
    bool found = false;
    for (const std::string& line : got) found |= line.starts_with(telling);
    EXPECT_TRUE(found) << telling;
  }
  RecordProperty("files_compared", static_cast<int>(expected.size()));
}

}  // namespace
}  // namespace fauxroot::testing
