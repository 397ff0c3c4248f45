# shellcheck shell=bash
# The Debian packages whose contents the tests depend on, at the versions
# they were checked with.  Sourced by tools/deps.sh, tools/guest-linux.sh
# and tools/linux-guest.sh; nothing else names these versions.
#
# Debian's security archive moves these packages forward (6.1.192-3
# appeared after 6.1.192-2); older versions stay installable with
# `apt-get install PKG=VERSION` for a while.  When the archive drops a pin,
# tools/deps.sh stops at once and says so: move the pin here, then check
# that the series still applies (make guest-linux) and that make test
# passes.

# The source the patched guest (guest-linux-patches/) applies to.
PIN_LINUX_SOURCE=linux-source-6.1
PIN_LINUX_SOURCE_VER=6.1.192-2
# The stock Debian 12 kernel the hv Linux cases and `make run` boot (what
# the linux-image-amd64 metapackage pointed at when this was pinned), and
# the modules its initramfs carries.
PIN_KERNEL=linux-image-6.1.0-56-amd64
PIN_KERNEL_VER=6.1.192-2
# The static busybox of the test initramfs.
PIN_BUSYBOX=busybox-static
PIN_BUSYBOX_VER=1:1.35.0-4+deb12u1+b1
