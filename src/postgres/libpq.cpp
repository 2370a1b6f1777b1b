// SPDX-License-Identifier: MIT
// libpq, loaded when the first SQL task connects rather than when the program
// starts. Linked normally, libpq.so.5 brings libssl, libcrypto, GSSAPI/Kerberos,
// LDAP, SASL and GnuTLS with it: about 30 shared objects whose loading and
// relocation cost more than everything else a run without SQL tasks does
// (measured in docs/performance.md). So the program does not link libpq;
// this file dlopen()s it once and resolves every function the edge calls.
// The Debian package still depends on libpq5 (debian/control), since
// dh_shlibdeps cannot see a library that is only dlopen()ed.
#include <dlfcn.h>
#include <mutex>

#include <fmt/format.h>

#include "postgres/internal.hpp"

namespace pt::pg {
namespace {

Libpq g_libpq;

tl::expected<void, std::string> open_libpq(const char* file, Libpq& table)
{
  // RTLD_LOCAL: libpq's symbols stay out of the global namespace; RTLD_NOW:
  // a missing symbol shows here, not in the middle of a task.
  void* handle = ::dlopen(file, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return tl::unexpected(fmt::format("cannot load libpq: {}; hint: install the libpq5 package",
                                      why != nullptr ? why : file));
  }
  std::string missing;
#define PT_LIBPQ_RESOLVE(name)                                                                     \
  table.name = reinterpret_cast<decltype(table.name)>(::dlsym(handle, #name));                     \
  if (table.name == nullptr) {                                                                     \
    missing += missing.empty() ? #name : ", " #name;                                               \
  }
  PT_LIBPQ_FUNCTIONS(PT_LIBPQ_RESOLVE)
#undef PT_LIBPQ_RESOLVE
  if (!missing.empty()) {
    ::dlclose(handle);
    table = Libpq{};
    return tl::unexpected(fmt::format("cannot use libpq from {}: it lacks {}; hint: install "
                                      "libpq5 version 14 or later",
                                      file, missing));
  }
  return {}; // never closed: the process keeps libpq until it exits
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
