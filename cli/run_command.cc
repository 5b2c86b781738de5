#include "cli/run_command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <vector>

#include "common/log.h"
#include "db/lmdb_store.h"
#include "shim/filter.h"
#include "shim/rootfs.h"
#include "shim/spawn.h"
#include "shim/user_namespace.h"
#include "supervisor/notify_channel.h"
#include "supervisor/supervisor.h"

namespace fauxroot {
namespace {

constexpr int kExitFailure = 125;  // fauxroot itself failed, like env(1) and chroot(1)

// A temporary db directory, removed when the run ends.
class TemporaryDir {
 public:
  static Result<TemporaryDir> Create() {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/fauxroot-db-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) return ErrnoError("create temporary db " + pattern);
    return TemporaryDir(pattern);
  }
  TemporaryDir(TemporaryDir&& other) noexcept : path_(std::exchange(other.path_, "")) {}
  ~TemporaryDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TemporaryDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The supervisor's peak resident memory (VmHWM), for -v.
long PeakMemoryKiB() {
  FILE* status = fopen("/proc/self/status", "re");
  if (status == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (fgets(line, sizeof line, status) != nullptr) {
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  }
  fclose(status);
  return kib;
}

// The ten calls that took the supervisor most time to answer, for -v.
void LogSyscallProfile(const SupervisorStats& stats) {
  if (!LogEnabled(LogLevel::kInfo)) return;
  std::vector<size_t> numbers;
  for (size_t nr = 0; nr < stats.by_syscall.size(); ++nr) {
    if (stats.by_syscall[nr].count > 0) numbers.push_back(nr);
  }
  std::ranges::sort(numbers, std::greater<>(),
                    [&](size_t nr) { return stats.by_syscall[nr].nanoseconds; });
  if (numbers.size() > 10) numbers.resize(10);
  for (size_t nr : numbers) {
    const SupervisorStats::PerSyscall& entry = stats.by_syscall[nr];
    Log(LogLevel::kInfo, "  %-24s %9llu calls %7.2f s %6.2f us each",
        SyscallName(NativeAuditArch(), static_cast<int>(nr)).c_str(),
        static_cast<unsigned long long>(entry.count), entry.nanoseconds / 1e9,
        entry.nanoseconds / 1e3 / static_cast<double>(entry.count));
  }
}

int Fail(const Error& error) {
  Log(LogLevel::kError, "%s", error.message().c_str());
  return kExitFailure;
}

}  // namespace

int RunCommand(const RunOptions& options) {
  if (auto supported = CheckSeccompSupport(); !supported) return Fail(supported.error());
  if (auto supported = PathResolver::CheckSupport(); !supported) return Fail(supported.error());

  // Block the signals we forward (and SIGCHLD) before any child exists, so none
  // is lost; the command gets the original mask back before exec.
  sigset_t forwarded, original_mask;
  sigemptyset(&forwarded);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&forwarded, sig);
  sigprocmask(SIG_BLOCK, &forwarded, &original_mask);
  // The supervisor creates device placeholders with the target's umask applied
  // by hand; its own must not interfere.
  mode_t original_umask = umask(0);

  std::optional<TemporaryDir> temporary_db;
  std::string db_dir;
  if (options.db_dir) {
    db_dir = *options.db_dir;
  } else {
    auto created = TemporaryDir::Create();
    if (!created) return Fail(created.error());
    temporary_db.emplace(std::move(*created));
    db_dir = temporary_db->path();
  }
  auto store = LmdbStore::Open(db_dir);
  if (!store) return Fail(store.error());

  RootOptions root;
  if (!options.root.empty()) {
    char* real = realpath(options.root.c_str(), nullptr);
    if (real == nullptr) return Fail(Error(errno, "--root " + options.root));
    root.root = real;
    free(real);
  }
  for (const std::string& bind : options.binds) {
    size_t colon = bind.find(':');
    std::string source = bind.substr(0, colon);
    std::string target = colon == std::string::npos ? source : bind.substr(colon + 1);
    struct stat st;
    if (stat(source.c_str(), &st) != 0) return Fail(Error(errno, "--bind source " + source));
    if (root.root.empty()) return Fail(Error(0, "--bind needs --root"));
    root.binds.push_back({source, target});
  }
  for (const std::string& entry : options.env) {
    if (entry.find('=') == std::string::npos || entry.front() == '=') {
      return Fail(Error(0, "--env wants NAME=VALUE, got '" + entry + "'"));
    }
  }

  if (auto entered = EnterUserNamespace(); !entered) return Fail(entered.error());
  auto mountpoints = RootMountpoints::Create(root);
  if (!mountpoints) return Fail(mountpoints.error());
  auto table = SyscallTable::Build();
  if (!table) return Fail(table.error());
  auto program = BuildFilterProgram();
  if (!program) return Fail(program.error());

  SpawnOptions spawn;
  spawn.argv = options.command;
  spawn.root = root;
  spawn.env = options.env;
  spawn.workdir = options.workdir;
  spawn.filter = std::move(*program);
  spawn.original_mask = original_mask;
  spawn.original_umask = original_umask;
  auto step = SpawnStep(spawn);
  if (!step) return Fail(step.error());

  bool wait_killable = false;
  auto listener = ReceiveListener(step->control.get(), &wait_killable);
  if (!listener) {
    Error error = listener.error();
    kill(step->init_pid, SIGKILL);
    return Fail(Error(error.errno_value(), "setting up the build step: " + error.message()));
  }
  if (!wait_killable) {
    Log(LogLevel::kInfo,
        "kernel lacks SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19): signals may restart "
        "emulated calls");
  }
  auto channel = KernelNotifyChannel::Create(std::move(*listener));
  if (!channel) {
    (void)SendControl(step->control.get(), ControlMessage::kAbort);
    return Fail(channel.error());
  }
  if (!channel->EnableSyncWakeUp()) {
    Log(LogLevel::kInfo,
        "kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): slower answers");
  }

  UniqueFd signal_fd(signalfd(-1, &forwarded, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd) return Fail(Error(errno, "signalfd"));
  UniqueFd proc_fd(open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!proc_fd) return Fail(Error(errno, "open /proc"));

  PathResolver resolver(proc_fd.get());
  TaskHandles handles;
  resolver.set_task_handles(&handles);
  // What the db holds decides which calls can be left to the kernel at once.
  auto contents = FakeMetadata::Scan(store->get());
  if (!contents) return Fail(contents.error());
  FakeMetadata metadata(store->get(), contents->fake_group_dirs, contents->access_acls);
  ProcTaskSource task_source(proc_fd.get());
  auto tasks = TaskTable::Create(&task_source);
  if (!tasks) return Fail(tasks.error());
  tasks->set_root_pid(step->init_pid);
  Supervisor supervisor(&*table,
                        HandlerContext{&*channel, &resolver, &metadata, &*tasks, &handles});
  supervisor.set_profiling(LogEnabled(LogLevel::kInfo));

  if (auto go = SendControl(step->control.get(), ControlMessage::kGo); !go) return Fail(go.error());
  auto report_exec = [&] {
    if (int err = ReadExecResult(step->control.get()); err != 0) {
      Log(LogLevel::kError, "cannot run '%s': %s (%s)%s", options.command[0].c_str(),
          ErrnoName(err).c_str(), strerror(err),
          err == ENOENT && options.command[0].find('/') == std::string::npos ? "; not found in PATH"
                                                                             : "");
    }
  };
  auto status = supervisor.Run(step->init_pid, step->init_pidfd.get(), signal_fd.get(),
                               step->control.get(), report_exec);
  if (auto synced = (*store)->Sync(); !synced)
    Log(LogLevel::kError, "%s", synced.error().message().c_str());
  const SupervisorStats& stats = supervisor.stats();
  Log(LogLevel::kInfo,
      "%llu notifications, %llu refused (foreign ABI), %llu targets gone, peak memory %ld KiB",
      static_cast<unsigned long long>(stats.notifications),
      static_cast<unsigned long long>(stats.foreign_abi),
      static_cast<unsigned long long>(stats.gone), PeakMemoryKiB());
  LogSyscallProfile(stats);
  if (!status) {
    kill(step->init_pid, SIGKILL);
    return Fail(status.error());
  }
  return *status;
}

}  // namespace fauxroot
