#include "image/oci_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "image/sha256.h"

namespace fauxroot {
namespace {

using nlohmann::json;

constexpr char kManifestType[] = "application/vnd.oci.image.manifest.v1+json";
constexpr char kConfigType[] = "application/vnd.oci.image.config.v1+json";
constexpr char kIndexType[] = "application/vnd.oci.image.index.v1+json";
constexpr char kRefName[] = "org.opencontainers.image.ref.name";

Result<void> WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return ErrnoError("write " + temp);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) return ErrnoError("rename " + temp);
  return {};
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Rfc3339(int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool ValidDigest(const std::string& digest) {
  if (digest.size() != 7 + 64 || digest.compare(0, 7, "sha256:") != 0) return false;
  for (size_t i = 7; i < digest.size(); ++i) {
    if (!isxdigit(static_cast<unsigned char>(digest[i])) || isupper(digest[i])) return false;
  }
  return true;
}

}  // namespace

std::pair<std::string, std::string> SplitLayoutAndTag(const std::string& spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || spec.find('/', colon) != std::string::npos) {
    return {spec, "latest"};
  }
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

Result<OciLayout> OciLayout::Open(const std::string& path) {
  for (const std::string& dir : {path, path + "/blobs", path + "/blobs/sha256"}) {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoError("create " + dir);
  }
  std::string marker = path + "/oci-layout";
  if (access(marker.c_str(), F_OK) != 0) {
    if (auto r = WriteFileAtomically(marker, R"({"imageLayoutVersion":"1.0.0"})"); !r) {
      return std::unexpected(r.error());
    }
  }
  return OciLayout(path);
}

std::string OciLayout::BlobPath(const std::string& digest) const {
  return path_ + "/blobs/sha256/" + digest.substr(7);
}

Result<UniqueFd> OciLayout::NewBlob(std::string* temp_path) {
  std::string pattern = path_ + "/blobs/sha256/.tmp-XXXXXX";
  int fd = mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError("create a blob in " + path_);
  fchmod(fd, 0644);
  *temp_path = pattern;
  return UniqueFd(fd);
}

Result<void> OciLayout::CommitBlob(const std::string& temp_path, const std::string& digest) {
  if (rename(temp_path.c_str(), BlobPath(digest).c_str()) != 0) {
    int err = errno;
    unlink(temp_path.c_str());
    return MakeError(err, "store blob " + digest);
  }
  return {};
}

Result<std::string> OciLayout::WriteBlob(const std::string& content) {
  std::string digest = Sha256::Of(content);
  if (auto r = WriteFileAtomically(BlobPath(digest), content); !r)
    return std::unexpected(r.error());
  return digest;
}

Result<std::string> OciLayout::WriteImage(const std::vector<LayerDescriptor>& layers,
                                          const ImageConfig& image, std::optional<int64_t> created,
                                          const std::string& tag) {
  json config_object = json::object();
  if (!image.env.empty()) config_object["Env"] = image.env;
  if (image.cmd) config_object["Cmd"] = *image.cmd;
  if (image.entrypoint) config_object["Entrypoint"] = *image.entrypoint;
  if (!image.working_dir.empty()) config_object["WorkingDir"] = image.working_dir;
  if (!image.user.empty()) config_object["User"] = image.user;
  if (!image.labels.empty()) config_object["Labels"] = image.labels;

  json diff_ids = json::array(), history = json::array(), manifest_layers = json::array();
  for (const LayerDescriptor& layer : layers) {
    diff_ids.push_back(layer.diff_id);
    json step = {{"created_by", layer.created_by}};
    if (created) step["created"] = Rfc3339(*created);
    history.push_back(step);
    manifest_layers.push_back(
        {{"mediaType", layer.media_type}, {"digest", layer.digest}, {"size", layer.size}});
  }
  json config = {{"architecture", "amd64"},
                 {"os", "linux"},
                 {"config", config_object},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                 {"history", history}};
  if (created) config["created"] = Rfc3339(*created);
  std::string config_text = config.dump();
  auto config_digest = WriteBlob(config_text);
  if (!config_digest) return config_digest;

  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kManifestType},
      {"config",
       {{"mediaType", kConfigType}, {"digest", *config_digest}, {"size", config_text.size()}}},
      {"layers", manifest_layers}};
  std::string manifest_text = manifest.dump();
  auto manifest_digest = WriteBlob(manifest_text);
  if (!manifest_digest) return manifest_digest;

  json index = {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"manifests", json::array()}};
  std::string index_path = path_ + "/index.json";
  if (auto existing = ReadWholeFile(index_path)) {
    json old = json::parse(*existing, nullptr, false);
    if (old.is_object() && old.contains("manifests") && old["manifests"].is_array()) {
      for (const json& m : old["manifests"]) {
        bool same_tag = m.contains("annotations") && m["annotations"].is_object() &&
                        m["annotations"].value(kRefName, "") == tag;
        if (!same_tag) index["manifests"].push_back(m);
      }
    }
  }
  index["manifests"].push_back({{"mediaType", kManifestType},
                                {"digest", *manifest_digest},
                                {"size", manifest_text.size()},
                                {"annotations", {{kRefName, tag}}}});
  if (auto r = WriteFileAtomically(index_path, index.dump()); !r) return std::unexpected(r.error());
  return *manifest_digest;
}

Result<std::vector<LayerDescriptor>> OciLayout::ReadImage(const std::string& tag) const {
  auto bad = [&](const std::string& why) {
    return MakeError(0, "OCI layout " + path_ + ": " + why);
  };
  auto index_text = ReadWholeFile(path_ + "/index.json");
  if (!index_text) return std::unexpected(index_text.error());
  json index = json::parse(*index_text, nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
    return bad("index.json is not an image index");
  }
  const json* chosen = nullptr;
  for (const json& m : index["manifests"]) {
    if (!m.is_object()) continue;
    std::string name;
    if (m.contains("annotations") && m["annotations"].is_object()) {
      name = m["annotations"].value(kRefName, "");
    }
    if (tag.empty() ? index["manifests"].size() == 1 : name == tag) chosen = &m;
  }
  if (chosen == nullptr) {
    return bad(tag.empty() ? "several images and no tag given" : "no image tagged '" + tag + "'");
  }
  auto read_json = [&](const json& descriptor) -> Result<json> {
    std::string digest = descriptor.value("digest", "");
    if (!ValidDigest(digest)) return bad("bad digest '" + digest + "'");
    auto text = ReadWholeFile(BlobPath(digest));
    if (!text) return std::unexpected(text.error());
    if (Sha256::Of(*text) != digest) return bad("blob " + digest + " does not match its digest");
    json parsed = json::parse(*text, nullptr, false);
    if (!parsed.is_object()) return bad("blob " + digest + " is not a JSON object");
    return parsed;
  };
  auto manifest = read_json(*chosen);
  if (!manifest) return std::unexpected(manifest.error());
  if (!manifest->contains("config") || !(*manifest)["config"].is_object() ||
      !manifest->contains("layers") || !(*manifest)["layers"].is_array()) {
    return bad("manifest has no config or layers");
  }
  auto config = read_json((*manifest)["config"]);
  if (!config) return std::unexpected(config.error());
  const json& layers = (*manifest)["layers"];
  json diff_ids = json::array();
  if (config->contains("rootfs") && (*config)["rootfs"].is_object()) {
    diff_ids = (*config)["rootfs"].value("diff_ids", json::array());
  }
  if (!diff_ids.is_array() || diff_ids.size() != layers.size()) {
    return bad("config's diff_ids do not match the manifest's layers");
  }
  std::vector<LayerDescriptor> result;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (!layers[i].is_object() || !diff_ids[i].is_string()) return bad("bad layer descriptor");
    LayerDescriptor d;
    d.media_type = layers[i].value("mediaType", "");
    d.digest = layers[i].value("digest", "");
    d.size = layers[i].value("size", uint64_t{0});
    d.diff_id = diff_ids[i].get<std::string>();
    if (!ValidDigest(d.digest) || !ValidDigest(d.diff_id)) return bad("bad layer digest");
    result.push_back(std::move(d));
  }
  return result;
}

}  // namespace fauxroot
