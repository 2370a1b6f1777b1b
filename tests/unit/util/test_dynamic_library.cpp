// SPDX-License-Identifier: MIT
#include <cstring>
#include <string>

#include <doctest/doctest.h>

#include "util/dynamic_library.hpp"

using pt::DynamicLibrary;
using pt::LibraryError;
using pt::load_function_table;

namespace {

struct StringFunctions
{
  decltype(&::strlen) strlen = nullptr;
  decltype(&::strcmp) strcmp = nullptr;
  int (*no_such)(int) = nullptr;
};

void resolve_two(DynamicLibrary& library, StringFunctions& table)
{
  library.resolve("strlen", table.strlen);
  library.resolve("strcmp", table.strcmp);
}

void resolve_three(DynamicLibrary& library, StringFunctions& table)
{
  resolve_two(library, table);
  library.resolve("pt_no_such_function", table.no_such);
  library.resolve("pt_nor_this_one", table.no_such);
}

} // namespace

TEST_CASE("DynamicLibrary::open: dlerror()'s text when the file cannot be loaded")
{
  const auto library = DynamicLibrary::open("libpt-no-such-library.so.0");
  REQUIRE_FALSE(library);
  CHECK(library.error().find("libpt-no-such-library.so.0") != std::string::npos);
}

TEST_CASE("DynamicLibrary::resolve: the function, or nullptr and its name in missing()")
{
  auto library = DynamicLibrary::open("libc.so.6");
  REQUIRE(library);
  StringFunctions table;
  resolve_three(*library, table);
  REQUIRE(static_cast<bool>(table.strlen));
  CHECK(table.strlen("four") == 4);
  CHECK_FALSE(static_cast<bool>(table.no_such));
  CHECK(library->missing() == "pt_no_such_function, pt_nor_this_one");
}

TEST_CASE("load_function_table: every function resolved")
{
  StringFunctions table;
  const auto loaded = load_function_table("libc.so.6", table, resolve_two);
  REQUIRE(loaded);
  REQUIRE(static_cast<bool>(table.strcmp));
  CHECK(table.strcmp("a", "a") == 0);
}

TEST_CASE("load_function_table: why not, and an empty table")
{
  StringFunctions table;
  SUBCASE("a library that cannot be loaded")
  {
    const auto loaded = load_function_table("libpt-no-such-library.so.0", table, resolve_two);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().kind == LibraryError::Kind::cannot_load);
    CHECK(loaded.error().detail.find("libpt-no-such-library.so.0") != std::string::npos);
  }
  SUBCASE("a library that lacks functions")
  {
    const auto loaded = load_function_table("libc.so.6", table, resolve_three);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().kind == LibraryError::Kind::missing_functions);
    CHECK(loaded.error().detail == "pt_no_such_function, pt_nor_this_one");
    CHECK_FALSE(static_cast<bool>(table.strlen)); // all or nothing
  }
}

TEST_CASE("describe: what is missing and the hint, in the library's words")
{
  const pt::LibraryNeed need{"libdemo.so.1", "libdemo", " to read demos", "install libdemo1",
                             "install libdemo1 version 3 or later"};
  CHECK(pt::describe({LibraryError::Kind::cannot_load, "libdemo.so.1: cannot open shared object"},
                     need) == "cannot load libdemo to read demos: libdemo.so.1: cannot open "
                              "shared object; hint: install libdemo1");
  CHECK(pt::describe({LibraryError::Kind::missing_functions, "demo_a, demo_b"}, need) ==
        "cannot use libdemo from libdemo.so.1: it lacks demo_a, demo_b; hint: install libdemo1 "
        "version 3 or later");
}

namespace {
struct OnceTable
{
  decltype(&::strlen) strlen = nullptr;
};
int g_resolves = 0;
void resolve_once(DynamicLibrary& library, OnceTable& table)
{
  ++g_resolves;
  library.resolve("strlen", table.strlen);
}
} // namespace

TEST_CASE("load_once: loads on the first call and gives the same answer after")
{
  OnceTable table;
  const pt::LibraryNeed need{"libc.so.6", "libc", "", "", ""};
  CHECK(pt::load_once(need, table, resolve_once));
  CHECK(pt::load_once(need, table, resolve_once));
  CHECK(g_resolves == 1);
  REQUIRE(static_cast<bool>(table.strlen));
  CHECK(table.strlen("once") == 4);
}
