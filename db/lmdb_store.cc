#include "db/lmdb_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "db/record_codec.h"

namespace fauxroot {
namespace {

constexpr size_t kInitialMapSize = size_t{1} << 30;  // address space only; the file is sparse
constexpr size_t kMaxMapSize = size_t{64} << 30;
constexpr char kCreatedBy[] = "fauxroot";

// LMDB returns errno values for system errors and its own negative codes for
// the rest; map the latter to the errno a caller should see.
int LmdbErrno(int rc) {
  if (rc > 0) return rc;
  switch (rc) {
    case MDB_MAP_FULL:
      return ENOSPC;
    case MDB_NOTFOUND:
      return ENOENT;
    default:
      return EIO;
  }
}

std::unexpected<Error> LmdbError(int rc, const std::string& what) {
  if (rc > 0) return MakeError(rc, what);
  return MakeError(LmdbErrno(rc), what + ": " + mdb_strerror(rc));
}

// LMDB 0.9.24 opens its data and lock files without O_CLOEXEC; they must not
// leak into the build step. Marks every fd opened since `before` close-on-exec.
std::vector<int> OpenFds() {
  std::vector<int> fds;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (struct dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') fds.push_back(atoi(entry->d_name));
    }
    closedir(dir);
  }
  return fds;
}

void MarkNewFdsCloexec(const std::vector<int>& before) {
  for (int fd : OpenFds()) {
    if (std::find(before.begin(), before.end(), fd) != before.end()) continue;
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

MDB_val Val(const void* data, size_t size) { return MDB_val{size, const_cast<void*>(data)}; }

// Aborts a transaction unless it was committed.
class Txn {
 public:
  Txn() = default;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  int Begin(MDB_env* env, unsigned flags) { return mdb_txn_begin(env, nullptr, flags, &txn_); }
  int Commit() { return mdb_txn_commit(std::exchange(txn_, nullptr)); }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

}  // namespace

struct LmdbStore::Env {
  MDB_env* env = nullptr;
  MDB_dbi inodes = 0;
  MDB_dbi meta = 0;
  size_t map_size = kInitialMapSize;
  bool read_only = false;
  ~Env() {
    if (env != nullptr) mdb_env_close(env);
  }
};

LmdbStore::LmdbStore(std::string dir, std::unique_ptr<Env> env)
    : dir_(std::move(dir)), env_(std::move(env)) {}

LmdbStore::~LmdbStore() {
  if (env_ && !env_->read_only) (void)Sync();
}

Result<std::unique_ptr<LmdbStore>> LmdbStore::Open(const std::string& dir,
                                                   const LmdbOptions& options) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT || !options.create) return ErrnoError("db directory " + dir);
    // Another run may create it at the same moment: EEXIST is fine if it is a directory.
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoError("create db directory " + dir);
    }
    if (stat(dir.c_str(), &st) != 0) return ErrnoError("db directory " + dir);
  }
  if (!S_ISDIR(st.st_mode)) {
    return MakeError(ENOTDIR, "db directory " + dir);
  }

  auto env = std::make_unique<Env>();
  env->read_only = options.read_only;
  int rc = mdb_env_create(&env->env);
  if (rc != 0) return LmdbError(rc, "mdb_env_create");
  mdb_env_set_maxdbs(env->env, 4);
  mdb_env_set_mapsize(env->env, env->map_size);
  unsigned flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : MDB_NOSYNC);
  std::vector<int> fds_before = OpenFds();
  rc = mdb_env_open(env->env, dir.c_str(), flags, 0600);
  MarkNewFdsCloexec(fds_before);
  if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
    return LmdbError(rc, "db " + dir + " is not a usable LMDB environment (corrupt or foreign)");
  }
  if (rc != 0) return LmdbError(rc, "open db " + dir);

  // Open or create the named databases and check the schema in one transaction.
  Txn txn;
  rc = txn.Begin(env->env, options.read_only ? MDB_RDONLY : 0);
  if (rc != 0) return LmdbError(rc, "begin transaction on db " + dir);
  unsigned dbi_flags = options.read_only ? 0 : MDB_CREATE;
  rc = mdb_dbi_open(txn.get(), "meta", dbi_flags, &env->meta);
  if (rc == MDB_NOTFOUND) return MakeError(0, "db " + dir + " is not a fauxroot db (no meta)");
  if (rc == MDB_INCOMPATIBLE) return MakeError(0, "db " + dir + " is not a fauxroot db");
  if (rc != 0) return LmdbError(rc, "open meta in db " + dir);

  MDB_val key = Val("schema", 6);
  MDB_val value;
  rc = mdb_get(txn.get(), env->meta, &key, &value);
  if (rc == MDB_NOTFOUND) {
    // A new db, or an LMDB environment that some other program made.
    MDB_dbi main_dbi;
    MDB_stat main_stat;
    if (mdb_dbi_open(txn.get(), nullptr, 0, &main_dbi) == 0 &&
        mdb_stat(txn.get(), main_dbi, &main_stat) == 0 && main_stat.ms_entries > 1) {
      return MakeError(0, "db " + dir + " is an LMDB environment of another program");
    }
    if (options.read_only) return MakeError(0, "db " + dir + " is not a fauxroot db (no schema)");
    uint32_t version = kSchemaVersion;
    MDB_val v = Val(&version, sizeof version);
    rc = mdb_put(txn.get(), env->meta, &key, &v, 0);
    MDB_val by_key = Val("created-by", 10);
    MDB_val by_val = Val(kCreatedBy, sizeof kCreatedBy - 1);
    if (rc == 0) rc = mdb_put(txn.get(), env->meta, &by_key, &by_val, 0);
    if (rc != 0) return LmdbError(rc, "initialise db " + dir);
  } else if (rc != 0) {
    return LmdbError(rc, "read schema of db " + dir);
  } else {
    uint32_t version = 0;
    if (value.mv_size != sizeof version) {
      return MakeError(0, "db " + dir + " is not a fauxroot db (bad schema entry)");
    }
    memcpy(&version, value.mv_data, sizeof version);
    if (version > kSchemaVersion) {
      return MakeError(0, "db " + dir + " has schema version " + std::to_string(version) +
                              ", newer than this fauxroot understands (" +
                              std::to_string(kSchemaVersion) + "); upgrade fauxroot");
    }
  }

  rc = mdb_dbi_open(txn.get(), "inodes", dbi_flags, &env->inodes);
  if (rc != 0) return LmdbError(rc, "open inodes in db " + dir);
  rc = txn.Commit();
  if (rc != 0) return LmdbError(rc, "commit to db " + dir);
  return std::unique_ptr<LmdbStore>(new LmdbStore(dir, std::move(env)));
}

template <typename Fn>
Result<void> LmdbStore::Write(const char* what, Fn&& fn) {
  if (env_->read_only) return MakeError(EROFS, std::string(what) + " in db " + dir_);
  for (;;) {
    Txn txn;
    int rc = txn.Begin(env_->env, 0);
    if (rc == 0) rc = fn(txn.get());
    if (rc == 0) rc = txn.Commit();
    if (rc != MDB_MAP_FULL || env_->map_size >= kMaxMapSize) {
      if (rc != 0) return LmdbError(rc, std::string(what) + " in db " + dir_);
      return {};
    }
    // The map is full: no transaction is open any more, so it may grow.
    env_->map_size *= 2;
    rc = mdb_env_set_mapsize(env_->env, env_->map_size);
    if (rc != 0) return LmdbError(rc, "grow db " + dir_);
  }
}

Result<std::optional<InodeRecord>> LmdbStore::Get(const InodeKey& key) {
  Txn txn;
  int rc = txn.Begin(env_->env, MDB_RDONLY);
  if (rc != 0) return LmdbError(rc, "read db " + dir_);
  auto k = EncodeKey(key);
  MDB_val kv = Val(k.data(), k.size());
  MDB_val value;
  rc = mdb_get(txn.get(), env_->inodes, &kv, &value);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != 0) return LmdbError(rc, "read db " + dir_);
  auto record = DecodeRecord({static_cast<const uint8_t*>(value.mv_data), value.mv_size});
  if (!record) return std::unexpected(record.error());
  return *record;
}

Result<void> LmdbStore::Put(const InodeKey& key, const InodeRecord& record) {
  auto k = EncodeKey(key);
  std::vector<uint8_t> v = EncodeRecord(record);
  return Write("write record", [&](MDB_txn* txn) {
    MDB_val kv = Val(k.data(), k.size());
    MDB_val vv = Val(v.data(), v.size());
    return mdb_put(txn, env_->inodes, &kv, &vv, 0);
  });
}

Result<void> LmdbStore::Erase(const InodeKey& key) {
  auto k = EncodeKey(key);
  return Write("erase record", [&](MDB_txn* txn) {
    MDB_val kv = Val(k.data(), k.size());
    int rc = mdb_del(txn, env_->inodes, &kv, nullptr);
    return rc == MDB_NOTFOUND ? 0 : rc;
  });
}

Result<void> LmdbStore::ForEach(
    const std::function<void(const InodeKey&, const InodeRecord&)>& visit) {
  Txn txn;
  int rc = txn.Begin(env_->env, MDB_RDONLY);
  if (rc != 0) return LmdbError(rc, "read db " + dir_);
  MDB_cursor* cursor = nullptr;
  rc = mdb_cursor_open(txn.get(), env_->inodes, &cursor);
  if (rc != 0) return LmdbError(rc, "read db " + dir_);
  MDB_val key, value;
  Result<void> result;
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    auto k = DecodeKey({static_cast<const uint8_t*>(key.mv_data), key.mv_size});
    auto r = DecodeRecord({static_cast<const uint8_t*>(value.mv_data), value.mv_size});
    if (!k || !r) {
      result = MakeError(0, "db " + dir_ + ": " + (k ? r.error() : k.error()).message());
      break;
    }
    visit(*k, *r);
  }
  mdb_cursor_close(cursor);
  if (result && rc != MDB_NOTFOUND) result = LmdbError(rc, "read db " + dir_);
  return result;
}

Result<void> LmdbStore::Sync() {
  int rc = mdb_env_sync(env_->env, 1);
  if (rc != 0) return LmdbError(rc, "sync db " + dir_);
  return {};
}

Result<size_t> LmdbStore::Count() {
  Txn txn;
  int rc = txn.Begin(env_->env, MDB_RDONLY);
  if (rc != 0) return LmdbError(rc, "read db " + dir_);
  MDB_stat st;
  rc = mdb_stat(txn.get(), env_->inodes, &st);
  if (rc != 0) return LmdbError(rc, "stat db " + dir_);
  return st.ms_entries;
}

}  // namespace fauxroot
