#!/usr/bin/env bash
# Assembles the container image's file tree under DEST from a built sluice
# binary, at the paths aws-for-fluent-bit users and FireLens expect:
#
#   /fluent-bit/bin/sluice            the binary (static)
#   /fluent-bit/bin/fluent-bit        a link to it, for scripts and task
#                                     definitions that call fluent-bit by path
#   /fluent-bit/etc/fluent-bit.conf   the default configuration; FireLens
#                                     mounts its generated one over it
#   /fluent-bit/etc/parsers.conf      the shipped parsers (conf/parsers.conf,
#   /fluent-bit/parsers/parsers.conf  also embedded in the binary), also at
#                                     aws-for-fluent-bit's path
#
# The Dockerfile runs this script in its build stage, and the e2e test
# TestImageLayout runs it into a temporary folder, so the layout tested is
# the layout shipped.
#
# Usage: deploy/image/assemble.sh DEST SLUICE_BINARY
set -euo pipefail
dest=$1
bin=$2
here=$(cd "$(dirname "$0")" && pwd)
install -d "$dest/fluent-bit/bin" "$dest/fluent-bit/etc" "$dest/fluent-bit/parsers"
install -m 0755 "$bin" "$dest/fluent-bit/bin/sluice"
ln -sf sluice "$dest/fluent-bit/bin/fluent-bit"
install -m 0644 "$here/fluent-bit.conf" "$dest/fluent-bit/etc/fluent-bit.conf"
install -m 0644 "$here/../../conf/parsers.conf" "$dest/fluent-bit/etc/parsers.conf"
install -m 0644 "$here/../../conf/parsers.conf" "$dest/fluent-bit/parsers/parsers.conf"
