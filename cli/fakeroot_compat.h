// fakeroot's command line, for builders that call a fakeroot:
//
//   fakeroot [-s FILE] [-i FILE] [-u] [-l LIB] [--faked BIN] [-b FD] [-h] [-v] [--] [COMMAND
//   [ARGS...]]
//
// Used when fauxroot is invoked as `fakeroot` (a symlink), with
// `--fakeroot-compat`, or with a first argument that is not one of its own
// subcommands (so `dpkg-buildpackage -rfauxroot` and DEB_GAIN_ROOT_CMD=fauxroot
// work). -s saves the records at exit in fauxroot's text form (db dump); -i
// loads them, and also reads fakeroot's own -s files. -l, --faked and -b are
// accepted and ignored (there is no library and no daemon); -u is accepted and
// ignored (files without a record already show their real owner's mapping).
// FAKEROOTKEY and FAKED_MODE are set for the command; when FAKEROOTKEY is
// already set the command runs as it is, like a nested fakeroot.
#pragma once

namespace fauxroot {

// `args` are the arguments after the program name (and after --fakeroot-compat).
int FakerootMain(int argc, char** argv);

}  // namespace fauxroot
