// Export and commit: tars and OCI images compared with what real root makes of
// the same operations, reproducibility, layers, and tools no one here wrote
// (skopeo, umoci).
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

constexpr char kTarListing[] = "/usr/bin/python3 " TESTS_DIR "/integration/tar_listing.py";

// File operations with everything an image must keep: owners, set-id bits,
// devices, FIFOs, symlinks, hard links, capabilities, ACLs, user attributes.
constexpr char kBuildTree[] = R"sh(set -e
mkdir -p tree/etc tree/usr/bin tree/dev tree/var/spool/cron tree/home/user
cd tree
echo 'root:x:0:0::/root:/bin/sh' > etc/passwd; echo 'root:x:0:' > etc/group
echo secret > etc/shadow; chown 0:42 etc/shadow; chmod 640 etc/shadow
cp /bin/true usr/bin/sudo; chmod 4755 usr/bin/sudo
cp /bin/true usr/bin/crontab; chown 0:107 usr/bin/crontab; chmod 2755 usr/bin/crontab
cp /bin/true usr/bin/ping; setcap cap_net_raw+ep usr/bin/ping
mknod dev/null c 1 3; mknod dev/sda b 8 0; mkfifo dev/initctl
chown 1000:1000 home/user; chmod 700 home/user; echo hi > home/user/.profile
chown 1000:1000 home/user/.profile
chown 0:107 var/spool/cron; chmod 1730 var/spool/cron
ln usr/bin/sudo usr/bin/sudoedit; ln -s ../usr/bin/sudo etc/sudo-link; chown -h 5:5 etc/sudo-link
touch etc/acl; setfacl -m u:1000:rw,g:2000:r etc/acl; setfattr -n user.comment -v hello etc/acl
)sh";

TEST(ExportTest, TarMatchesRealRootsTarEntryByEntry) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  ScratchDir native(0), faux(kNobody);
  ProcessResult r = RunShell(std::string(kBuildTree) +
                                 "cd .. && tar --numeric-owner --xattrs --xattrs-include='*' "
                                 "-cf native.tar -C tree . && " + kTarListing + " native.tar",
                             {.cwd = native.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string expected = r.out;
  r = RunUnderFauxroot(kBuildTree, {.cwd = faux.path()}, faux.path() + "/db");
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunProcess({FauxrootBinary(), "export", "--db", "db", "--rootfs", "tree", "--tar",
                  "faux.tar"},
                 {.as_user = kNobody, .cwd = faux.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunShell(std::string(kTarListing) + " faux.tar", {.cwd = faux.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, expected);
  EXPECT_NE(expected.find("usr/bin/ping f 0o755 0 0 0,0 -> security.capability="),
            std::string::npos)
      << expected;
  EXPECT_NE(expected.find("dev/sda b 0o644 0 0 8,0"), std::string::npos) << expected;
  EXPECT_NE(expected.find("usr/bin/sudoedit h"), std::string::npos) << expected;
}

// Builds the tree under fauxroot and returns the dir; `db` is DIR/db.
void BuildUnderFauxroot(const ScratchDir& dir) {
  ProcessResult r = RunUnderFauxroot(kBuildTree, {.cwd = dir.path()}, dir.path() + "/db");
  ASSERT_EQ(r.status, 0) << r.err;
}

ProcessResult Fauxroot(const ScratchDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), FauxrootBinary());
  RunSpec spec{.cwd = dir.path()};
  if (IsRoot()) spec.as_user = kNobody;
  return RunProcess(args, spec);
}

TEST(ExportTest, SameStateSameBytes) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  BuildUnderFauxroot(dir);
  for (const char* compression : {"gzip", "zstd", "none"}) {
    std::string first, second;
    for (std::string* digest : {&first, &second}) {
      ProcessResult r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci",
                                       std::string("img-") + compression + ":t", "--compression",
                                       compression, "--source-date-epoch", "1700000000"});
      ASSERT_EQ(r.status, 0) << r.err;
      *digest = r.out;
    }
    EXPECT_EQ(first, second) << compression;
    EXPECT_TRUE(first.starts_with("sha256:")) << first;
  }
  ASSERT_EQ(Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--tar", "a.tar"}).status, 0);
  ASSERT_EQ(Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--tar", "b.tar"}).status, 0);
  EXPECT_EQ(RunShell("cmp a.tar b.tar", {.cwd = dir.path()}).status, 0);
}

TEST(ExportTest, CommitMakesOneLayerPerStepWithWhiteouts) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  BuildUnderFauxroot(dir);
  ASSERT_EQ(Fauxroot(dir, {"commit", "--db", "db", "--rootfs", "tree"}).status, 0);
  ProcessResult step = RunUnderFauxroot(
      "cd tree && rm etc/shadow && rm -r home && echo more > etc/motd && chown 3:3 etc/motd && "
      "chown 9 usr/bin/crontab && rm -r var/spool && mkdir var/spool && touch var/spool/new",
      {.cwd = dir.path()}, dir.path() + "/db");
  ASSERT_EQ(step.status, 0) << step.err;
  ASSERT_EQ(Fauxroot(dir, {"commit", "--db", "db", "--rootfs", "tree"}).status, 0);
  ProcessResult r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci", "img:two",
                                   "--compression", "none"});
  ASSERT_EQ(r.status, 0) << r.err;
  // The second layer: the two directories whose contents changed, the changed
  // files, whiteouts for what went, an opaque directory for what was replaced.
  r = RunShell("m=$(python3 -c 'import json,sys; i=json.load(open(\"img/index.json\"));"
               "print(i[\"manifests\"][0][\"digest\"][7:])'); "
               "l=$(python3 -c 'import json; m=json.load(open(\"img/blobs/sha256/'$m'\"));"
               "print(len(m[\"layers\"]), m[\"layers\"][1][\"digest\"][7:])'); set -- $l; echo $1; "
               "tar tf img/blobs/sha256/$2 | sort",
               {.cwd = dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "2\n.wh.home\netc/\netc/.wh.shadow\netc/motd\nusr/\nusr/bin/\nusr/bin/crontab\n"
            "var/\nvar/spool/\nvar/spool/.wh..wh..opq\nvar/spool/new\n");
}

TEST(ExportTest, SkopeoAndUmociAcceptTheImageAndUnpackRealRootsOwners) {
  if (!IsRoot()) GTEST_SKIP() << "umoci unpack needs root to set owners";
  ScratchDir native(0), dir(kNobody);
  ASSERT_EQ(RunShell(kBuildTree, {.cwd = native.path()}).status, 0);
  BuildUnderFauxroot(dir);
  ProcessResult r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci",
                                   "img:test", "--config", "Cmd=[\"/usr/bin/sudo\"]", "--config",
                                   "Env=A=1", "--config", "Labels=org.example=yes"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunShell("skopeo inspect oci:img:test", {.cwd = dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"org.example\": \"yes\""), std::string::npos) << r.out;
  r = RunShell("umoci unpack --image img:test bundle >/dev/null", {.cwd = dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string listing =
      "cd %s && find . -mindepth 1 -printf '%%p %%y %%m %%U %%G %%l\\n' | sort && "
      "getcap -r . | sort && getfacl -Rn . 2>/dev/null | grep -v '^# file'";
  char native_cmd[512], bundle_cmd[512];
  snprintf(native_cmd, sizeof native_cmd, listing.c_str(), "tree");
  snprintf(bundle_cmd, sizeof bundle_cmd, listing.c_str(), "bundle/rootfs");
  ProcessResult expected = RunShell(native_cmd, {.cwd = native.path()});
  ProcessResult got = RunShell(bundle_cmd, {.cwd = dir.path()});
  EXPECT_EQ(got.out, expected.out);
  EXPECT_NE(expected.out.find("./usr/bin/sudo f 4755 0 0"), std::string::npos);
}

TEST(ExportTest, BadInputIsAClearError) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  BuildUnderFauxroot(dir);
  ProcessResult r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "missing", "--tar", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--rootfs missing: ENOENT"), std::string::npos) << r.err;
  r = Fauxroot(dir, {"export", "--db", "nodb", "--rootfs", "tree", "--tar", "x"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("nodb"), std::string::npos) << r.err;
  r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree"});
  EXPECT_EQ(r.status, 2);
  r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci", "i", "--config",
                     "Bogus=1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("unknown key 'Bogus'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fauxroot::testing
