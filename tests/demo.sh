#!/bin/bash
# make demo: boots a guest and shows bmptap feeding a real collector from
# real daemons (tests/guest/demo-guest.sh does the work inside the guest).
set -uo pipefail
cd "$(dirname "$0")/.."
echo "bmptap demo: booting Debian's kernel in QEMU (TCG: this takes a few minutes)..."
exec tests/guest/run-guest --timeout 900 tests/guest/demo-guest.sh
