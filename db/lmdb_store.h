// LmdbStore: the persistent OwnershipStore, an LMDB environment in a directory.
//
// Layout: named databases `inodes` (see record_codec.h) and `meta` (schema
// version and the name of the program that created it).
//
// Durability: every Put/Erase is its own write transaction committed without
// fsync (MDB_NOSYNC). The data is in the kernel's page cache when the call
// returns, so it survives the death of this process at any instant; Sync()
// (called at exit) makes it survive a power loss too.
//
// File descriptors: all of the store's fds are close-on-exec.
//
// Sharing: several processes may open the same directory at once; LMDB's lock
// file serialises writers and readers see committed data. Not thread-safe
// within one process: one LmdbStore per thread.
#pragma once

#include <memory>
#include <string>

#include "db/ownership_store.h"

namespace fauxroot {

struct LmdbOptions {
  bool create = true;      // create DIR and an empty db when missing
  bool read_only = false;  // open for reading only (dump, stats)
};

class LmdbStore final : public OwnershipStore {
 public:
  // Opens (or creates) the db in `dir`. Fails with a message naming the path when
  // the directory is unusable, is not an LMDB environment, is not a fauxroot db,
  // or was written by a newer schema.
  static Result<std::unique_ptr<LmdbStore>> Open(const std::string& dir,
                                                 const LmdbOptions& options = {});
  ~LmdbStore() override;

  Result<std::optional<InodeRecord>> Get(const InodeKey& key) override;
  Result<void> Put(const InodeKey& key, const InodeRecord& record) override;
  Result<void> Erase(const InodeKey& key) override;
  Result<void> ForEach(
      const std::function<void(const InodeKey&, const InodeRecord&)>& visit) override;
  Result<void> Sync() override;

  const std::string& dir() const { return dir_; }
  // Number of records in `inodes`.
  Result<size_t> Count();

  static constexpr int kSchemaVersion = 1;

 private:
  struct Env;
  LmdbStore(std::string dir, std::unique_ptr<Env> env);
  template <typename Fn>
  Result<void> Write(const char* what, Fn&& fn);

  std::string dir_;
  std::unique_ptr<Env> env_;
};

}  // namespace fauxroot
