// SPDX-License-Identifier: MIT
// libpq, loaded when the first SQL task connects rather than when the program
// starts. Linked normally, libpq.so.5 brings libssl, libcrypto, GSSAPI/Kerberos,
// LDAP, SASL and GnuTLS with it: about 30 shared objects whose loading and
// relocation cost more than everything else a run without SQL tasks does
// (measured in docs/performance.md). So the program does not link libpq;
// this file dlopen()s it once (util/dynamic_library.hpp) and resolves every
// function the edge calls. The Debian package still depends on libpq5
// (debian/control), since dh_shlibdeps cannot see a library that is only dlopen()ed.
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

} // namespace

tl::expected<void, std::string> load_libpq()
{
  // Never closed: the process keeps libpq until it exits.
  static constexpr LibraryNeed k_libpq{k_libpq_file, "libpq", "", "install the libpq5 package",
                                       "install libpq5 version 14 or later"};
  return load_once(k_libpq, g_libpq, resolve_libpq);
}

const Libpq& pq()
{
  return g_libpq;
}

} // namespace pt::pg
