// SPDX-License-Identifier: MIT
// A stand-in for <CLI/CLI.hpp> outside its edge folder (CMakeLists.txt, the edge rule).
#error "CLI11 is used only in src/app/cli.cpp: other code takes the parsed CliOptions"
