#include "supervisor/target_memory.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

namespace fauxroot {
namespace {

constexpr uint64_t kPageSize = 4096;

// process_vm_readv stops at the first unmapped page and returns a short count;
// the kernel's own copy_from_user would fault there, so a short read is EFAULT.
Expected<size_t> ReadSome(pid_t tid, uint64_t address, void* out, size_t size) {
  struct iovec local = {out, size};
  struct iovec remote = {reinterpret_cast<void*>(address), size};
  ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (n < 0) return std::unexpected(errno);
  return static_cast<size_t>(n);
}

}  // namespace

Expected<void> ReadTargetMemory(pid_t tid, uint64_t address, void* out, size_t size) {
  if (size == 0) return {};
  auto n = ReadSome(tid, address, out, size);
  if (!n) return std::unexpected(n.error());
  if (*n != size) return std::unexpected(EFAULT);
  return {};
}

Expected<void> WriteTargetMemory(pid_t tid, uint64_t address, const void* data, size_t size) {
  struct iovec local = {const_cast<void*>(data), size};
  struct iovec remote = {reinterpret_cast<void*>(address), size};
  ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
  if (n < 0) return std::unexpected(errno);
  if (static_cast<size_t>(n) != size) return std::unexpected(EFAULT);
  return {};
}

Expected<void> ReadTargetPath(pid_t tid, uint64_t address, PathBuffer* out) {
  char buffer[PATH_MAX];
  size_t have = 0;
  while (have < sizeof buffer) {
    // Read up to the end of the current page: the next page may be unmapped.
    uint64_t at = address + have;
    size_t chunk = static_cast<size_t>(kPageSize - at % kPageSize);
    if (chunk > sizeof buffer - have) chunk = sizeof buffer - have;
    auto n = ReadSome(tid, at, buffer + have, chunk);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return std::unexpected(EFAULT);
    if (const void* nul = memchr(buffer + have, '\0', *n)) {
      out->assign({buffer, static_cast<size_t>(static_cast<const char*>(nul) - buffer)});
      return {};
    }
    have += *n;
  }
  return std::unexpected(ENAMETOOLONG);
}

}  // namespace fauxroot
