// SPDX-License-Identifier: MIT
// libpq, loaded when the first SQL task connects rather than when the program
// starts. Linked normally, libpq.so.5 brings libssl, libcrypto, GSSAPI/Kerberos,
// LDAP, SASL and GnuTLS with it: about 30 shared objects whose loading and
// relocation cost more than everything else a run without SQL tasks does
// (measured in docs/performance.md). So the program does not link libpq;
// this file dlopen()s it once (util/dynamic_library.hpp) and resolves every
// function the edge calls. The Debian package still depends on libpq5
// (debian/control), since dh_shlibdeps cannot see a library that is only dlopen()ed.
#include <mutex>

#include <fmt/format.h>

#include "postgres/internal.hpp"
#include "util/dynamic_library.hpp"

namespace pt::pg {
namespace {

Libpq g_libpq;

void resolve_libpq(DynamicLibrary& library, Libpq& table)
{
#define PT_LIBPQ_RESOLVE(name) library.resolve(#name, table.name);
  PT_LIBPQ_FUNCTIONS(PT_LIBPQ_RESOLVE)
#undef PT_LIBPQ_RESOLVE
}

tl::expected<void, std::string> open_libpq(const char* file, Libpq& table)
{
  auto loaded = load_function_table(file, table, resolve_libpq);
  if (loaded) {
    return {}; // never closed: the process keeps libpq until it exits
  }
  const auto& why = loaded.error().detail;
  switch (loaded.error().kind) {
  case LibraryError::Kind::cannot_load:
    return tl::unexpected(
        fmt::format("cannot load libpq: {}; hint: install the libpq5 package", why));
  case LibraryError::Kind::missing_functions:
    break;
  }
  return tl::unexpected(fmt::format("cannot use libpq from {}: it lacks {}; hint: install "
                                    "libpq5 version 14 or later",
                                    file, why));
}

} // namespace

tl::expected<void, std::string> load_libpq()
{
  static std::once_flag once;
  static tl::expected<void, std::string> loaded;
  std::call_once(once, [] { loaded = open_libpq(k_libpq_file, g_libpq); });
  return loaded;
}

const Libpq& pq()
{
  return g_libpq;
}

} // namespace pt::pg
