// SPDX-License-Identifier: MIT
// A stand-in for <toml++/toml.hpp> outside its edge folder (CMakeLists.txt, the edge rule).
#error "toml++ is used only in src/config/ (TOML to Config): read the parsed Config from config/config.hpp"
