#!/usr/bin/python3
"""image-files.py LAYOUT[:TAG] PATH...: prints type, mode, owner and file
capabilities of PATHs as an OCI image's layers (top layer last) define them."""
import json
import stat
import struct
import sys
import tarfile

CAPS = {13: "cap_net_raw", 12: "cap_net_admin", 21: "cap_sys_admin", 10: "cap_net_bind_service"}


def blob(layout, digest):
    return f"{layout}/blobs/sha256/{digest.split(':', 1)[1]}"


def capability(raw):
    if len(raw) < 12:
        return "?"
    magic, permitted, inheritable = struct.unpack("<III", raw[:12])
    names = [CAPS.get(bit, f"cap_{bit}") for bit in range(32) if permitted & (1 << bit)]
    return ",".join(names) + ("=ep" if magic & 1 else "=p")


def main(spec, paths):
    layout, _, tag = spec.partition(":")
    tag = tag or "latest"
    index = json.load(open(f"{layout}/index.json"))
    entry = next(m for m in index["manifests"]
                 if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    manifest = json.load(open(blob(layout, entry["digest"])))
    found = {}
    for layer in manifest["layers"]:
        with tarfile.open(blob(layout, layer["digest"])) as tar:
            for member in tar:
                name = member.name.lstrip("./").rstrip("/")
                if "/" + name in paths:
                    found["/" + name] = member
    for path in paths:
        m = found.get(path)
        if m is None:
            print(f"{path}: not in the image")
            continue
        mode = stat.filemode(m.mode | {tarfile.DIRTYPE: stat.S_IFDIR, tarfile.SYMTYPE: stat.S_IFLNK,
                                       tarfile.CHRTYPE: stat.S_IFCHR,
                                       tarfile.BLKTYPE: stat.S_IFBLK}.get(m.type, stat.S_IFREG))
        line = f"{mode} {m.uname or m.uid}:{m.gname or m.gid} ({m.uid}:{m.gid}) {path}"
        if m.type in (tarfile.CHRTYPE, tarfile.BLKTYPE):
            line += f" device {m.devmajor},{m.devminor}"
        cap = m.pax_headers.get("SCHILY.xattr.security.capability")
        if cap is not None:
            line += "  " + capability(cap.encode("utf-8", "surrogateescape"))
        print(line)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
