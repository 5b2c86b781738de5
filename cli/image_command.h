// `fauxroot export` and `fauxroot commit`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fauxroot {

struct ImageCommandOptions {
  std::string db_dir;
  std::string rootfs;
  std::optional<std::string> tar;
  std::optional<std::string> oci;
  std::string compression = "gzip";
  std::optional<long long> source_date_epoch;
  std::vector<std::string> config;  // KEY=VALUE
};

int ExportCommand(const ImageCommandOptions& options);
int CommitCommand(const ImageCommandOptions& options);
int ImportCommand(const ImageCommandOptions& options);

}  // namespace fauxroot
