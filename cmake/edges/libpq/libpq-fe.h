// SPDX-License-Identifier: MIT
// A stand-in for <libpq-fe.h> outside its edge folder (CMakeLists.txt, the edge rule).
#error "libpq is used only in src/postgres/ (the PostgreSQL edge): talk to the database through the SqlExecutor seam in postgres/sql.hpp"
