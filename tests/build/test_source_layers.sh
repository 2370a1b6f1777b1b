#!/bin/bash
# SPDX-License-Identifier: MIT
# src/ has no include cycle between modules, util/ includes only util/, and
# schedule/ only schedule/ and util/
# (tests/build/source_graph.py; the layers are in docs/ARCHITECTURE.md).
set -euo pipefail
: "${PT_SOURCE_DIR:?PT_SOURCE_DIR must name the source tree (ctest sets it)}"
python3 "$PT_SOURCE_DIR/tests/build/source_graph.py" "$PT_SOURCE_DIR/src"
