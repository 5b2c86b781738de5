#include "db/memory_store.h"

namespace fauxroot {

Result<std::optional<InodeRecord>> MemoryStore::Get(const InodeKey& key) {
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

Result<void> MemoryStore::Put(const InodeKey& key, const InodeRecord& record) {
  records_[key] = record;
  return {};
}

Result<void> MemoryStore::Erase(const InodeKey& key) {
  records_.erase(key);
  return {};
}

Result<void> MemoryStore::ForEach(
    const std::function<void(const InodeKey&, const InodeRecord&)>& visit) {
  for (const auto& [key, record] : records_) visit(key, record);
  return {};
}

}  // namespace fauxroot
