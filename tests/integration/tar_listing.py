#!/usr/bin/python3
"""Prints a tar's entries in a normal form, one line each, sorted by path:
path, type, mode, uid, gid, device numbers, link target, hard-link group and
extended attributes (hex). Used by the export tests to compare a tar that GNU
tar made of real root's tree with the one fauxroot exported."""
import sys
import tarfile

KINDS = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d",
         tarfile.SYMTYPE: "l", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b",
         tarfile.FIFOTYPE: "p", tarfile.LNKTYPE: "h"}


def normal(name):
    name = name[2:] if name.startswith("./") else name
    return name.rstrip("/")


def main(path):
    lines = []
    with tarfile.open(path) as tar:
        for m in tar:
            name = normal(m.name)
            if name in ("", "."):
                continue
            xattrs = []
            for key, value in sorted(m.pax_headers.items()):
                if key.startswith("SCHILY.xattr."):
                    raw = value.encode("utf-8", "surrogateescape")
                    xattrs.append(key[len("SCHILY.xattr."):] + "=" + raw.hex())
            link = normal(m.linkname) if m.islnk() else m.linkname
            lines.append(" ".join([name, KINDS.get(m.type, "?"), oct(m.mode), str(m.uid),
                                   str(m.gid), f"{m.devmajor},{m.devminor}",
                                   "->" + link, ";".join(xattrs)]))
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
