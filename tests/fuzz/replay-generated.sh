#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes fresh saved-state streams with the generator and replays them
# through the deserialize target, so the seeds stay loadable as the
# format evolves.
# usage: replay-generated.sh GENERATOR REPLAY
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" "$dir"
"$2" "$dir"
