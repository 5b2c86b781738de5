#include "db/lmdb_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <lmdb.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "db/memory_store.h"

namespace fauxroot {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = std::filesystem::temp_directory_path() / "fauxroot-test-XXXXXX";
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_; }

 private:
  std::string path_;
};

// The contract every OwnershipStore keeps.
void ExerciseStore(OwnershipStore& store) {
  InodeKey a{1, 10}, b{1, 2}, c{2, 1};
  InodeRecord ra{5, 123, 456, 0, 0}, rb{6, 7, 8, 020000, 0x103};
  ASSERT_TRUE(store.Put(a, ra));
  ASSERT_TRUE(store.Put(b, rb));
  EXPECT_EQ(**store.Get(a), ra);
  EXPECT_FALSE(store.Get(c)->has_value());
  ra.uid = 9;
  ASSERT_TRUE(store.Put(a, ra));  // replace
  EXPECT_EQ((*store.Get(a))->uid, 9u);
  std::vector<InodeKey> order;
  ASSERT_TRUE(store.ForEach([&](const InodeKey& k, const InodeRecord&) { order.push_back(k); }));
  EXPECT_EQ(order, (std::vector<InodeKey>{b, a}));
  ASSERT_TRUE(store.Erase(b));
  ASSERT_TRUE(store.Erase(c));  // absent: fine
  EXPECT_FALSE(store.Get(b)->has_value());
  EXPECT_TRUE(store.Sync());
}

TEST(MemoryStoreTest, KeepsTheContract) {
  MemoryStore store;
  ExerciseStore(store);
}

TEST(LmdbStoreTest, KeepsTheContract) {
  TempDir dir;
  auto store = LmdbStore::Open(dir.path());
  ASSERT_TRUE(store) << store.error().message();
  ExerciseStore(**store);
}

TEST(LmdbStoreTest, PersistsAcrossOpens) {
  TempDir dir;
  {
    auto store = LmdbStore::Open(dir.path());
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Put({3, 4}, InodeRecord{1, 2, 3, 0, 0}));
  }
  LmdbOptions read_only;
  read_only.read_only = true;
  read_only.create = false;
  auto store = LmdbStore::Open(dir.path(), read_only);
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_EQ((*(*store)->Get({3, 4}))->gid, 3u);
  EXPECT_EQ(*(*store)->Count(), 1u);
  EXPECT_EQ((*store)->Put({1, 1}, InodeRecord{}).error().errno_value(), EROFS);
}

TEST(LmdbStoreTest, ItsFdsAreCloseOnExec) {
  TempDir dir;
  auto store = LmdbStore::Open(dir.path());
  ASSERT_TRUE(store);
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (ec || target.string().find(dir.path()) != 0) continue;
    int fd = std::stoi(entry.path().filename());
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC) << target;
  }
}

TEST(LmdbStoreTest, MissingDirectoryWithoutCreateIsAClearError) {
  LmdbOptions options;
  options.create = false;
  auto store = LmdbStore::Open("/nonexistent/fauxroot-db", options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().errno_value(), ENOENT);
  EXPECT_NE(store.error().message().find("/nonexistent/fauxroot-db"), std::string::npos);
}

TEST(LmdbStoreTest, AFileIsNotADirectory) {
  TempDir dir;
  std::string file = dir.path() + "/file";
  std::ofstream(file) << "x";
  auto store = LmdbStore::Open(file);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().errno_value(), ENOTDIR);
}

TEST(LmdbStoreTest, RejectsGarbage) {
  TempDir dir;
  std::ofstream(dir.path() + "/data.mdb") << std::string(8192, 'x');
  auto store = LmdbStore::Open(dir.path());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message().find("not a usable LMDB environment"), std::string::npos)
      << store.error().message();
}

TEST(LmdbStoreTest, RejectsAForeignLmdbEnvironment) {
  TempDir dir;
  MDB_env* env;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0600), 0);
  MDB_txn* txn;
  MDB_dbi dbi;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
  for (const char* k : {"alpha", "beta", "meta"}) {
    MDB_val key{strlen(k), const_cast<char*>(k)}, value{1, const_cast<char*>("v")};
    ASSERT_EQ(mdb_put(txn, dbi, &key, &value, 0), 0);
  }
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  auto store = LmdbStore::Open(dir.path());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message().find("not a fauxroot db"), std::string::npos)
      << store.error().message();
}

TEST(LmdbStoreTest, RejectsANewerSchema) {
  TempDir dir;
  ASSERT_TRUE(LmdbStore::Open(dir.path()));
  // Rewrite the schema entry as a future fauxroot would.
  MDB_env* env;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 4);
  ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0600), 0);
  MDB_txn* txn;
  MDB_dbi meta;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
  uint32_t version = 99;
  MDB_val key{6, const_cast<char*>("schema")}, value{sizeof version, &version};
  ASSERT_EQ(mdb_put(txn, meta, &key, &value, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  auto store = LmdbStore::Open(dir.path());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message().find("schema version 99"), std::string::npos)
      << store.error().message();
}

}  // namespace
}  // namespace fauxroot
