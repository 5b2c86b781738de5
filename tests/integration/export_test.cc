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
                                 "-cf native.tar -C tree . && " +
                                 kTarListing + " native.tar",
                             {.cwd = native.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string expected = r.out;
  r = RunUnderFauxroot(kBuildTree, {.cwd = faux.path()}, faux.path() + "/db");
  ASSERT_EQ(r.status, 0) << r.err;
  r = RunProcess(
      {FauxrootBinary(), "export", "--db", "db", "--rootfs", "tree", "--tar", "faux.tar"},
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
  ASSERT_EQ(Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--tar", "a.tar"}).status,
            0);
  ASSERT_EQ(Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--tar", "b.tar"}).status,
            0);
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
  r = RunShell(
      "m=$(python3 -c 'import json,sys; i=json.load(open(\"img/index.json\"));"
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
  ProcessResult r = Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci", "img:test",
                                   "--config", "Cmd=[\"/usr/bin/sudo\"]", "--config", "Env=A=1",
                                   "--config", "Labels=org.example=yes"});
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

TEST(ImportTest, ImportThenExportReproducesTheDigests) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  BuildUnderFauxroot(dir);
  ProcessResult original = Fauxroot(
      dir, {"export", "--db", "db", "--rootfs", "tree", "--oci", "img:t", "--config", "Env=A=1"});
  ASSERT_EQ(original.status, 0) << original.err;
  ProcessResult r = Fauxroot(dir, {"import", "--db", "db2", "--rootfs", "copy", "--oci", "img:t"});
  ASSERT_EQ(r.status, 0) << r.err;
  ProcessResult again = Fauxroot(
      dir, {"export", "--db", "db2", "--rootfs", "copy", "--oci", "img2:t", "--config", "Env=A=1"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, original.out);
  // And the copy looks the same from inside a build step.
  const std::string listing =
      "find %s -mindepth 1 -printf '%%P %%y %%m %%U %%G %%l\n' | sort; getcap -r %s | "
      "sed 's|^%s/||' | sort";
  char a[256], b[256];
  snprintf(a, sizeof a, listing.c_str(), "tree", "tree", "tree");
  snprintf(b, sizeof b, listing.c_str(), "copy", "copy", "copy");
  ProcessResult in_tree = RunUnderFauxroot(a, {.cwd = dir.path()}, dir.path() + "/db");
  ProcessResult in_copy = RunUnderFauxroot(b, {.cwd = dir.path()}, dir.path() + "/db2");
  EXPECT_EQ(in_copy.out, in_tree.out);
  EXPECT_NE(in_tree.out.find("dev/sda b 644 0 0"), std::string::npos) << in_tree.out;
}

TEST(ImportTest, LayersAndWhiteoutsApplyInOrder) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  BuildUnderFauxroot(dir);
  ASSERT_EQ(Fauxroot(dir, {"commit", "--db", "db", "--rootfs", "tree"}).status, 0);
  ASSERT_EQ(RunUnderFauxroot("cd tree && rm etc/shadow && rm -r home && rm -r var/spool && "
                             "mkdir var/spool && touch var/spool/new && chown 4:4 var/spool/new",
                             {.cwd = dir.path()}, dir.path() + "/db")
                .status,
            0);
  ASSERT_EQ(Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci", "img:t"}).status,
            0);
  ProcessResult r = Fauxroot(dir, {"import", "--db", "db2", "--rootfs", "copy", "--oci", "img:t"});
  ASSERT_EQ(r.status, 0) << r.err;
  ProcessResult a = RunUnderFauxroot("cd tree && find . | sort && stat -c '%n %u' var/spool/new",
                                     {.cwd = dir.path()}, dir.path() + "/db");
  ProcessResult b = RunUnderFauxroot("cd copy && find . | sort && stat -c '%n %u' var/spool/new",
                                     {.cwd = dir.path()}, dir.path() + "/db2");
  EXPECT_EQ(b.out, a.out);
  EXPECT_EQ(a.out.find("shadow"), std::string::npos);
}

TEST(ImportTest, HostileTarsWriteNothingOutsideTheRoot) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  // A tar that climbs with "..", one that writes through a symlink to "/", and
  // one with an absolute name.
  ProcessResult made = RunShell(R"sh(/usr/bin/python3 - <<'PY'
import io, tarfile
def add(tar, name, kind=tarfile.REGTYPE, link="", data=b"x"):
    info = tarfile.TarInfo(name); info.type = kind; info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open("climb.tar", "w") as t:
    add(t, "ok"); add(t, "../escaped")
with tarfile.open("symlink.tar", "w") as t:
    add(t, "out", tarfile.SYMTYPE, "/"); add(t, "out/tmp/escaped-through-link")
    add(t, "up", tarfile.SYMTYPE, "../../.."); add(t, "up/escaped-up")
with tarfile.open("absolute.tar", "w") as t:
    add(t, "/abs-escaped")
with tarfile.open("huge.tar", "w", format=tarfile.PAX_FORMAT) as t:
    info = tarfile.TarInfo("big-header"); info.pax_headers = {"comment": "x" * 4000000}
    t.addfile(info, io.BytesIO(b""))
with tarfile.open("deep.tar", "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "d/" * 3000 + "deep")
with tarfile.open("whole.tar", "w") as t:
    add(t, "a", data=b"x" * 5000); add(t, "b")
open("truncated.tar", "wb").write(open("whole.tar", "rb").read()[:1500])
PY
chmod 644 *.tar)sh",
                                {.cwd = dir.path()});
  ASSERT_EQ(made.status, 0) << made.err;
  ProcessResult r = Fauxroot(dir, {"import", "--db", "db", "--rootfs", "r1", "--tar", "climb.tar"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("refusing an entry that climbs out: ../escaped"), std::string::npos)
      << r.err;
  r = Fauxroot(dir, {"import", "--db", "db", "--rootfs", "r2", "--tar", "symlink.tar"});
  EXPECT_EQ(r.status, 0) << r.err;
  r = Fauxroot(dir, {"import", "--db", "db", "--rootfs", "r3", "--tar", "absolute.tar"});
  EXPECT_EQ(r.status, 0) << r.err;
  // Bad archives fail cleanly, naming the file.
  for (const char* bad : {"huge.tar", "deep.tar", "truncated.tar"}) {
    r = Fauxroot(dir, {"import", "--db", "db", "--rootfs", "r4", "--tar", bad});
    EXPECT_EQ(r.status, 1) << bad;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  }
  ProcessResult escaped = RunShell(
      "ls -d escaped ../escaped /tmp/escaped-through-link /escaped-up /abs-escaped 2>/dev/null; "
      "ls r2/tmp r3 2>&1",
      {.cwd = dir.path()});
  EXPECT_EQ(escaped.out, "r2/tmp:\nescaped-through-link\n\nr3:\nabs-escaped\n");
  EXPECT_EQ(RunShell("ls r2/escaped-up", {.cwd = dir.path()}).status, 0) << "resolved in the root";
}

TEST(ImportTest, BrokenImagesAreClearErrors) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  BuildUnderFauxroot(dir);
  ASSERT_EQ(Fauxroot(dir, {"export", "--db", "db", "--rootfs", "tree", "--oci", "img:t",
                           "--compression", "none"})
                .status,
            0);
  // A tag that is not there, an index that is not JSON, a layer that does not
  // match its digest.
  ProcessResult r = Fauxroot(dir, {"import", "--db", "d1", "--rootfs", "r1", "--oci", "img:nope"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no image tagged 'nope'"), std::string::npos) << r.err;
  ASSERT_EQ(RunShell("cp -r img bad && echo '{' > bad/index.json && cp -r img evil && "
                     "for b in evil/blobs/sha256/*; do "
                     "  if tar tf $b >/dev/null 2>&1; then printf 'X' >> $b; fi; done",
                     {.cwd = dir.path()})
                .status,
            0);
  r = Fauxroot(dir, {"import", "--db", "d2", "--rootfs", "r2", "--oci", "bad:t"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("index.json is not an image index"), std::string::npos) << r.err;
  r = Fauxroot(dir, {"import", "--db", "d3", "--rootfs", "r3", "--oci", "evil:t"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("does not match its digest"), std::string::npos) << r.err;
}

TEST(ImportTest, ARootfsTarballFromRealRootKeepsItsOwners) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  ScratchDir native(0), dir(kNobody);
  ASSERT_EQ(RunShell(std::string(kBuildTree) +
                         "cd .. && tar --numeric-owner --xattrs --xattrs-include='*' -czf "
                         "rootfs.tar.gz -C tree . && chmod 644 rootfs.tar.gz",
                     {.cwd = native.path()})
                .status,
            0);
  ProcessResult r = Fauxroot(
      dir, {"import", "--db", "db", "--rootfs", "tree", "--tar", native.path() + "/rootfs.tar.gz"});
  ASSERT_EQ(r.status, 0) << r.err;
  const char* listing =
      "cd tree && find . -mindepth 1 -printf '%p %y %m %U %G %l\n' | sort && getcap -r . | sort "
      "&& getfacl -n etc/acl && getfattr -d etc/acl";
  ProcessResult expected = RunShell(listing, {.cwd = native.path()});
  ProcessResult got = RunUnderFauxroot(listing, {.cwd = dir.path()}, dir.path() + "/db");
  EXPECT_EQ(got.out, expected.out);
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
  r = Fauxroot(dir,
               {"export", "--db", "db", "--rootfs", "tree", "--oci", "i", "--config", "Bogus=1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("unknown key 'Bogus'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fauxroot::testing
