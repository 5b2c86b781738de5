// Package managers and roots: dpkg installing local packages, tools that
// chroot themselves, and `--root`.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

// A package with owners, set-id bits, a device node and a postinst that
// chowns and mknods, built natively with dpkg-deb; and an empty dpkg root.
constexpr char kBuildDeb[] = R"sh(set -e
mkdir -p pkg/DEBIAN pkg/usr/bin pkg/etc pkg/dev pkg/var/spool root/var/lib/dpkg/info root/var/lib/dpkg/updates
touch root/var/lib/dpkg/status
cat > pkg/DEBIAN/control <<'CONTROL'
Package: fauxtest
Version: 1.0
Architecture: all
Maintainer: fauxroot tests <tests@example.invalid>
Description: owners, set-id bits and a device
CONTROL
cat > pkg/DEBIAN/postinst <<'POSTINST'
#!/bin/sh
set -e
chown 7:7 "$DPKG_ROOT/var/spool"
mknod "$DPKG_ROOT/dev/made-by-postinst" b 7 0
install -d -o 9 -g 9 -m 2750 "$DPKG_ROOT/var/lib/fauxtest"
POSTINST
chmod 755 pkg/DEBIAN/postinst
cp /bin/true pkg/usr/bin/suidtool; chmod 4755 pkg/usr/bin/suidtool
cp /bin/true pkg/usr/bin/sgidtool; chown 0:42 pkg/usr/bin/sgidtool; chmod 2755 pkg/usr/bin/sgidtool
echo secret > pkg/etc/shadowish; chown 0:42 pkg/etc/shadowish; chmod 640 pkg/etc/shadowish
chown 1:1 pkg/var/spool
mknod pkg/dev/fauxnull c 1 3
ln -s ../usr/bin/suidtool pkg/etc/link
dpkg-deb --build pkg fauxtest.deb >/dev/null
rm -rf pkg
)sh";

TEST(PackagesTest, DpkgInstallsALocalDebLikeRealRoot) {
  ExpectSameAsRoot(std::string(R"sh(set -e
HOME=$PWD dpkg --root="$PWD/root" --force-script-chrootless --log=/dev/null -i fauxtest.deb >/dev/null
rm fauxtest.deb
ln -s root/etc/link a-symlink
)sh") + kListings,
                   kBuildDeb);
}

// An RPM with %attr owners by name, a set-user-ID file, a %caps file and a
// %dev node, built natively with rpmbuild; and an empty rpm root whose
// /etc/passwd and /etc/group name those owners.
constexpr char kBuildRpm[] = R"sh(set -e
cat > fauxtest.spec <<'SPEC'
Name: fauxtest
Version: 1.0
Release: 1
Summary: owners, set-id bits, capabilities and a device
License: MIT
BuildArch: noarch
%description
fauxroot test package
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc %{buildroot}/var/spool/faux %{buildroot}/dev
printf '#!/bin/sh\n' > %{buildroot}/usr/bin/suidtool
printf '#!/bin/sh\n' > %{buildroot}/usr/bin/pingish
echo secret > %{buildroot}/etc/shadowish
%files
%attr(4755,root,root) /usr/bin/suidtool
%caps(cap_net_raw=ep) %attr(0755,root,root) /usr/bin/pingish
%attr(0640,root,shadow) /etc/shadowish
%dir %attr(2770,faux,fauxg) /var/spool/faux
%dev(c,1,3) %attr(0666,root,root) /dev/fauxnull
SPEC
rpmbuild --quiet --define "_topdir $PWD/top" --define "_rpmdir $PWD" -bb fauxtest.spec
mv noarch/fauxtest-1.0-1.noarch.rpm fauxtest.rpm
rm -rf top noarch fauxtest.spec
mkdir -p root/etc
printf 'root:x:0:0::/root:/bin/sh\nfaux:x:7:8::/:/bin/sh\n' > root/etc/passwd
printf 'root:x:0:\nshadow:x:42:\nfauxg:x:8:\n' > root/etc/group
rpm --root="$PWD/root" --dbpath=/var/lib/rpm --initdb 2>/dev/null
)sh";

TEST(PackagesTest, RpmInstallsALocalRpmLikeRealRoot) {
  ExpectSameAsRoot(std::string(R"sh(set -e
HOME=$PWD rpm --root="$PWD/root" --dbpath=/var/lib/rpm -i --nodeps --nosignature fauxtest.rpm 2>/dev/null
rm -rf fauxtest.rpm root/var/lib/rpm
getcap root/usr/bin/pingish
ln -s root/usr/bin/suidtool a-symlink
)sh") + kListings,
                   kBuildRpm);
}

// A tiny root with a static busybox, for chroot and --root.
constexpr char kBusyboxRoot[] = R"sh(set -e
mkdir -p rootfs/bin rootfs/etc rootfs/tmp
cp /bin/busybox rootfs/bin/
for applet in sh ls stat chown mknod touch ln cat mkdir find sort rm; do
  ln -s /bin/busybox rootfs/bin/$applet
done
echo 'root:x:0:0:root:/root:/bin/sh' > rootfs/etc/passwd
)sh";

constexpr char kInsideRoot[] =
    "cd /; touch /f; chown 5:6 /f; mknod /node c 4 1; ln -s /f /abs; chown -h 7:7 /abs; "
    "chown 8:8 /abs; mkdir /d; ln -s /d /dlink; touch /dlink/g; chown 3:3 /dlink/g; "
    "stat -c '%n %F %u %g %t %T' /f /node /abs /d/g /dlink/g /etc/passwd; "
    "stat -L -c '%n %F %u %g' /abs; cd /d && stat -c '%n %u' ../f ../../f ../abs";

TEST(RootTest, ToolsThatChrootThemselvesSeeTheirRoot) {
  ExpectSameAsRoot(std::string("chroot rootfs /bin/sh -c \"") + kInsideRoot + "\"", kBusyboxRoot);
}

TEST(RootTest, RootOptionRunsInsideTheDirectoryWithDevProcAndTmp) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  ScratchDir native_dir(0), faux_dir(kNobody);
  for (const ScratchDir* dir : {&native_dir, &faux_dir}) {
    ASSERT_EQ(RunShell(kBusyboxRoot, {.cwd = dir->path()}).status, 0);
  }
  RunShell("chown -R 65534:65534 .", {.cwd = faux_dir.path()});
  ProcessResult native =
      RunProcess({"chroot", native_dir.path() + "/rootfs", "/bin/sh", "-c", kInsideRoot});
  ASSERT_EQ(native.status, 0) << native.err;
  ProcessResult faux = RunProcess({FauxrootBinary(), "run", "--root", faux_dir.path() + "/rootfs",
                                   "--", "/bin/sh", "-c", kInsideRoot},
                                  {.as_user = kNobody});
  ASSERT_EQ(faux.status, 0) << faux.err;
  EXPECT_EQ(faux.out, native.out);

  // What --root adds: the step's /proc, the host's devices, a private /tmp,
  // --env, --workdir and --bind.
  ProcessResult env = RunProcess(
      {FauxrootBinary(), "run", "--root", faux_dir.path() + "/rootfs", "--env", "ANSWER=42",
       "--workdir", "/etc", "--bind", "/etc/hostname:/etc/passwd", "--", "/bin/sh", "-c",
       "echo $ANSWER; pwd; echo x > /dev/null && echo null-ok; ls /proc/self/fd >/dev/null && "
       "echo proc-ok; touch /tmp/t && echo tmp-ok; cat /etc/passwd"},
      {.as_user = kNobody});
  ASSERT_EQ(env.status, 0) << env.err;
  EXPECT_EQ(env.out, "42\n/etc\nnull-ok\nproc-ok\ntmp-ok\n" + ReadFile("/etc/hostname"));
  // Nothing of the set-up is left in the root: no mount points it created, no /tmp files.
  ProcessResult left = RunShell("ls -A rootfs rootfs/tmp", {.cwd = faux_dir.path()});
  EXPECT_EQ(left.out, "rootfs:\nabs\nbin\nd\ndlink\netc\nf\nnode\ntmp\n\nrootfs/tmp:\n");
}

TEST(RootTest, AMissingRootIsAClearError) {
  RunSpec spec;
  if (IsRoot()) spec.as_user = kNobody;
  ProcessResult r = RunProcess(
      {FauxrootBinary(), "run", "--root", "/nonexistent/rootfs", "--", "/bin/true"}, spec);
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("--root /nonexistent/rootfs: ENOENT"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fauxroot::testing
