// Real root is the oracle: each script runs natively as root in one directory
// and under fauxroot as uid 65534 in another; what the script observes must be
// identical.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

TEST(DifferentialTest, OwnershipDevicesLinksAndCopies) {
  ExpectSameAsRoot(std::string(R"sh(set -e
touch f; chown 123:456 f
mknod c c 1 3; mknod b b 8 0; mkfifo p
ln f h; mv f g
ln -s g a-symlink; chown -h 7:8 a-symlink
cp -a g g2
install -o 5 -g 6 -m 2755 /bin/true t
touch s; chmod 6755 s; chown 9:9 s
touch l; chmod 2644 l; chown 9:9 l
mkdir d; chmod 2775 d; chown 1:2 d
chgrp 99 c; chmod 600 c
busybox chown 42:43 b
cp -a c c2
)sh") + kListings);
}

TEST(DifferentialTest, MultiThreadedPythonChown) {
  ExpectSameAsRoot(std::string(R"sh(set -e
/usr/bin/python3 - <<'PY'
import os, threading
names = [f"p{i:02d}" for i in range(32)]
for n in names:
    open(n, "w").close()
def work(k):
    for j, n in enumerate(names):
        if j % 8 == k:
            os.chown(n, 1000 + j, 2000 + j)
            st = os.stat(n)
            assert (st.st_uid, st.st_gid) == (1000 + j, 2000 + j), (n, st)
threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
PY
ln -s p00 a-symlink
)sh") + kListings);
}

// A create that fauxroot makes itself (in a set-group-ID directory with a fake
// group) by a task whose fd table is full: EMFILE and no file, as from the
// kernel, which fails the open before it creates anything.
TEST(DifferentialTest, AFullFdTableFailsARecordedCreate) {
  ExpectSameAsRoot(std::string(R"sh(set -e
mkdir d; chgrp 5 d; chmod 2775 d
/usr/bin/python3 - <<'PY'
import os, resource
resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
fds = []
try:
    while True:
        fds.append(os.open("/dev/null", os.O_RDONLY))
except OSError as e:
    print("filled", e.errno)
try:
    os.open("d/new", os.O_CREAT | os.O_WRONLY, 0o644)
except OSError as e:
    print("create", e.errno)
os.close(fds.pop())
os.close(os.open("d/new", os.O_CREAT | os.O_WRONLY, 0o644))
print("after one close", os.stat("d/new").st_gid)
PY
ln -s d a-symlink
)sh") + kListings);
}

// Calls on a task's fds (fstat, fchown, fstatat from a dirfd, flistxattr): the
// supervisor works on a duplicate of the task's own open file, and must leave its
// offset and flags as they were; special and deleted files included.
TEST(DifferentialTest, CallsOnFdsLeaveTheTasksFileAlone) {
  ExpectSameAsRoot(std::string(R"sh(set -e
/usr/bin/python3 - <<'PY'
import os, socket, stat
def show(tag, st):
    print(tag, stat.filemode(st.st_mode), st.st_uid, st.st_gid, st.st_nlink)
with open("f", "w") as out:
    out.write("0123456789")
os.chown("f", 5, 6)
fd = os.open("f", os.O_RDONLY | os.O_NONBLOCK)
os.read(fd, 3)
show("fd", os.fstat(fd))
os.fchown(fd, 7, 8)
show("after fchown", os.fstat(fd))
print("offset", os.lseek(fd, 0, os.SEEK_CUR), os.read(fd, 2), "blocking", os.get_blocking(fd))
print("xattrs", os.listxattr(fd))
r, w = os.pipe()
show("pipe", os.fstat(r))
with socket.socket(socket.AF_UNIX) as s:
    show("socket", os.fstat(s.fileno()))
os.symlink("f", "l")
os.lchown("l", 3, 4)
link = os.open("l", os.O_PATH | os.O_NOFOLLOW)
show("O_PATH symlink", os.fstat(link))
d = os.open(".", os.O_PATH | os.O_DIRECTORY)
os.chown("f", 9, 10, dir_fd=d)
show("from O_PATH dirfd", os.stat("f", dir_fd=d))
os.unlink("f")
show("deleted", os.fstat(fd))
os.close(link)
try:
    os.fstat(link)
except OSError as e:
    print("closed", e.errno)
PY
ln -s . a-symlink
)sh") + kListings);
}

TEST(DifferentialTest, ProcSelfAndDevFdNameTheCaller) {
  // What the calling process sees through /proc/self, /dev/fd and /dev/stdin:
  // type and (for its own pipes) the kind of object, under any resolution.
  ExpectSameAsRoot(R"sh(set -e
: > file; chown 31:32 file
exec 3<file
stat -L -c '%F %u %g' /proc/self/fd/3 /dev/fd/3 /proc/thread-self/fd/3
echo | stat -L -c '%F' /dev/stdin /proc/self/fd/0
stat -c '%F' /proc/self /dev/stdin
cd /proc/self/fd && stat -L -c '%F %u %g' 3 ../fd/3 && cd - >/dev/null
busybox stat -L -c '%F %u %g' /proc/self/fd/3 /dev/fd/3
)sh");
}

TEST(DifferentialTest, InodeReuseNeverInheritsAnOldOwner) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  // 40 rounds of create/chown/rm/create in one directory: the filesystem hands
  // the freed inode number to the next file, which must not take its owner.
  // One process, so that no other process on the machine takes the freed number
  // between the rm and the create.
  constexpr char kScript[] = R"sh(exec /usr/bin/python3 -c '
import os
for i in range(1, 41):
    open("x", "w").close(); os.chown("x", i, i); old = os.stat("x").st_ino; os.unlink("x")
    open("y", "w").close(); st = os.stat("y")
    print("%d:%d %s" % (st.st_uid, st.st_gid, "reused" if st.st_ino == old else "fresh"))
    os.unlink("y")
')sh";
  ScratchDir native_dir(0), faux_dir(kNobody);
  ProcessResult native = RunShell(kScript, {.cwd = native_dir.path()});
  ASSERT_EQ(native.status, 0) << native.err;
  // Files made elsewhere on the machine at the same time may take the freed
  // number; try again before concluding that this filesystem never reuses.
  ProcessResult faux;
  for (int attempt = 0; attempt < 5; ++attempt) {
    faux = RunUnderFauxroot(kScript, {.cwd = faux_dir.path()});
    ASSERT_EQ(faux.status, 0) << faux.err;
    if (faux.out.find("reused") != std::string::npos) break;
  }
  if (faux.out.find("reused") == std::string::npos) {
    GTEST_SKIP() << "this filesystem never reused an inode number; the test proves nothing here";
  }
  std::string expected;
  for (int i = 0; i < 40; ++i) expected += "0:0\n";
  auto owners = [](const std::string& text) {
    std::string only;
    for (size_t at = 0; at < text.size();) {
      size_t end = text.find('\n', at);
      only += text.substr(at, text.find(' ', at) - at) + "\n";
      at = end + 1;
    }
    return only;
  };
  EXPECT_EQ(owners(native.out), expected);
  EXPECT_EQ(owners(faux.out), expected) << faux.out;
}

}  // namespace
}  // namespace fauxroot::testing

namespace fauxroot::testing {
namespace {

// apt's privilege drop and check, setpriv, su-like sequences, files made by the
// dropped user, set-group-ID directories.
TEST(DifferentialTest, CredentialsAndFilesOfDroppedUsers) {
  ExpectSameAsRoot(std::string(R"sh(set -e
mkdir shared; chown 0:50 shared; chmod 2777 shared
mkdir drop; chown 100:100 drop
mkdir w; chmod 777 w
setpriv --reuid=100 --regid=100 --clear-groups -- sh -c '
  id; touch drop/f; mkdir drop/d; ln -s f drop/l; mkfifo drop/p
  touch shared/g; mkdir shared/sub
  chown 0 drop/f 2>&1 | sed "s/.*: //"; chgrp 0 drop/f 2>&1 | sed "s/.*: //"
  chmod 2755 drop/f; touch w/mine; chmod 600 shared/g; chmod 600 w 2>&1 | sed "s/.*: //"
  setpriv --reuid=0 true 2>/dev/null || echo "regain root: $?"'
setpriv --reuid=100 --regid=100 --groups=50,60 -- sh -c 'id; touch shared/h; chgrp 60 shared/h; chgrp 70 shared/h 2>&1 | sed "s/.*: //"'
/usr/bin/python3 - <<'PY'
import os
# apt's DropPrivileges, then its checks.
pid = os.fork()
if pid == 0:
    os.setgroups([42])
    os.setresgid(42, 42, 42)
    os.setresuid(42, 42, 42)
    print("dropped", os.getresuid(), os.getresgid(), os.getgroups())
    for call in (lambda: os.setuid(0), lambda: os.seteuid(0), lambda: os.setgid(0),
                 lambda: os.setgroups([0])):
        try:
            call(); print("regained: bug")
        except PermissionError:
            print("EPERM")
    open("w/by-apt", "w").close()
    os._exit(0)
os.waitpid(pid, 0)
# su-like: real uid kept while effective changes, then back.
os.setresuid(0, 7, 0); print("euid 7", os.getresuid(), os.getuid(), os.geteuid())
open("w/as-euid-7", "w").close()
os.seteuid(0); os.setreuid(8, 8); print("setreuid", os.getresuid())
try:
    os.setuid(0); print("bug")
except PermissionError:
    print("EPERM after setreuid")
PY
/usr/bin/python3 - <<'PY'
import os
# A child forked before its parent changes ids keeps the old ones.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w); os.read(r, 1)
    print("child after parent's change", os.getresuid())
    open("w/child-file", "w").close()
    os._exit(0)
os.setresuid(9, 9, 9)
os.close(r); os.write(w, b"x"); os.waitpid(pid, 0)
print("parent", os.getresuid())
PY
ln -s drop a-symlink
)sh") + kListings);
}

}  // namespace
}  // namespace fauxroot::testing

namespace fauxroot::testing {
namespace {

// File capabilities, POSIX ACLs naming unmapped ids, trusted.* and user.*
// attributes, read back by getcap, getfacl, getfattr and ls.
TEST(DifferentialTest, CapabilitiesAclsAndAttributes) {
  ExpectSameAsRoot(std::string(R"sh(set -e
touch f g; cp /bin/true ping; cp /bin/true suid
setcap cap_net_raw+ep ping; getcap ping
setfacl -m u:1000:rwx,g:2000:r f; getfacl -n f
chmod 640 f; getfacl -n f
setfacl -m u::rw,g::r,o::- g; getfacl -n g
mkdir d; setfacl -d -m u:1000:rwx d; getfacl -n d
setfattr -n trusted.foo -v bar f; setfattr -n user.x -v y f; getfattr -d -m - f
setfattr -x trusted.foo f; getfattr -d -m - f
setfattr -n trusted.foo -v bar -h f 2>/dev/null; setfattr -x trusted.none f 2>&1 | sed 's/.*: //'
cp -a f f2; getfacl -n f2; getfattr -d -m - f2
chown 5:5 ping; getcap ping; echo "caps after chown: $?"
chmod 4755 suid; setcap cap_sys_admin+ep suid; chown 0:0 suid
ln -s f a-symlink
)sh") + kListings + R"sh(
echo '== ls -l'; ls -l --time-style=+ f g d f2 | sed 's/ [0-9]* *$//'
)sh");
}

}  // namespace
}  // namespace fauxroot::testing

namespace fauxroot::testing {
namespace {

// glibc makes every thread repeat a set*id call; afterwards every thread has
// the new ids and creates files with them.
TEST(DifferentialTest, ThreadsFollowTheirProcessesSetuid) {
  ExpectSameAsRoot(std::string(R"sh(set -e
mkdir t; chmod 777 t
/usr/bin/python3 - <<'PY'
import os, threading
barrier = threading.Barrier(5)
seen = []
def worker(k):
    barrier.wait()
    seen.append((os.getresuid(), os.getresgid()))
    open("t/thread%d" % k, "w").close()
threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in threads: t.start()
os.setgroups([]); os.setresgid(6, 6, 6); os.setresuid(5, 5, 5)
barrier.wait()
for t in threads: t.join()
print(sorted(set(seen)))
PY
ln -s t a-symlink
)sh") + kListings);
}

// A new devpts instance with owners only real root has (mmdebstrap --mode=root
// mounts it with uid=5): fauxroot makes the mount without them. Bind mounts and
// other file systems go to the kernel, failures included.
TEST(DifferentialTest, MountsOfDevptsAndOthers) {
  ExpectSameAsRoot(R"sh(
unshare --mount sh -c '
mount -t devpts -o noexec,nosuid,uid=5,gid=5,mode=620,ptmxmode=666 none pts && echo devpts
stat -c "%n %F %a %u %g %t:%T" pts/ptmx
mount -t devpts -o uid=5,bogus none pts2 2>/dev/null || echo "bad option refused"
mount -t nosuchfs none pts2 2>/dev/null || echo "unknown fs refused"
mount --bind dir pts2 && stat -c "%n %F" pts2/file
mount -t tmpfs -o mode=700 tmpfs pts2 && stat -c "%n %a" pts2
'
)sh",
                   "mkdir pts pts2 dir && touch dir/file");
}

// A chmod in a later run still rewrites the ACL an earlier run stored (the
// supervisor lets root's chmod go to the kernel only while no record has one).
TEST(DifferentialTest, ChmodInALaterRunKeepsTheAclInStep) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  const std::string first = "touch f && setfacl -m u:5:rwx,g:7:r f";
  const std::string second = "chmod 640 f && getfacl -n f && stat -c '%a' f";
  ScratchDir native_dir(0), faux_dir(kNobody);
  ASSERT_EQ(RunShell(first, {.cwd = native_dir.path()}).status, 0);
  ProcessResult native = RunShell(second, {.cwd = native_dir.path()});
  ASSERT_EQ(native.status, 0) << native.err;
  const std::string db = faux_dir.path() + "/db";
  ProcessResult r = RunUnderFauxroot(first, {.cwd = faux_dir.path()}, db);
  ASSERT_EQ(r.status, 0) << r.err;
  ProcessResult faux = RunUnderFauxroot(second, {.cwd = faux_dir.path()}, db);
  ASSERT_EQ(faux.status, 0) << faux.err;
  EXPECT_EQ(faux.out, native.out);
  EXPECT_NE(native.out.find("mask::r--"), std::string::npos) << native.out;
}

// Each task's root is kept open between its calls: chroot, and a thread that
// shares the root of the one that chroots, must see the new root at once.
TEST(DifferentialTest, AbsolutePathsFollowRootChanges) {
  ExpectSameAsRoot(R"sh(
mkdir -p inner/sub && touch inner/marker && chown 7:8 inner/marker
/usr/bin/python3 - <<'PY'
import os, threading
def owner(path):
    try:
        st = os.stat(path)
        return "%s %d:%d" % (path, st.st_uid, st.st_gid)
    except OSError as e:
        return "%s errno %d" % (path, e.errno)
print(owner("/marker"))
seen = []
ready, go, done = threading.Event(), threading.Event(), threading.Event()
def sibling():
    seen.append(owner("/marker"))
    ready.set()
    go.wait()
    seen.append(owner("/marker"))
    done.set()
t = threading.Thread(target=sibling); t.start(); ready.wait()
os.chroot("inner")
go.set(); done.wait(); t.join()
print(owner("/marker"), owner("/missing"), seen)
os.chdir("/")
print(owner("/marker"), owner("marker"), owner("/sub/../marker"))
PY
unshare --mount sh -c 'mount -t tmpfs -o mode=711 tmpfs inner && stat -c "%n %a" inner/ /proc/self/root/inner'
stat -c "%n %a" inner
)sh");
}

}  // namespace
}  // namespace fauxroot::testing
