// MemoryStore: an OwnershipStore in memory, for tests and for callers that want
// no persistence.
#pragma once

#include <map>

#include "db/ownership_store.h"

namespace fauxroot {

class MemoryStore final : public OwnershipStore {
 public:
  Result<std::optional<InodeRecord>> Get(const InodeKey& key) override;
  Result<void> Put(const InodeKey& key, const InodeRecord& record) override;
  Result<void> Erase(const InodeKey& key) override;
  Result<void> ForEach(
      const std::function<void(const InodeKey&, const InodeRecord&)>& visit) override;
  Result<void> Sync() override { return {}; }

  size_t size() const { return records_.size(); }

 private:
  std::map<InodeKey, InodeRecord> records_;
};

}  // namespace fauxroot
