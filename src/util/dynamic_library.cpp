// SPDX-License-Identifier: MIT
#include "util/dynamic_library.hpp"

#include <dlfcn.h>
#include <utility>

#include <fmt/format.h>

namespace pt {

tl::expected<DynamicLibrary, std::string> DynamicLibrary::open(const char* file)
{
  void* handle = ::dlopen(file, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return tl::unexpected(std::string(why != nullptr ? why : file));
  }
  return DynamicLibrary(handle);
}

DynamicLibrary::DynamicLibrary(DynamicLibrary&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)), m_keep(other.m_keep),
      m_missing(std::move(other.m_missing))
{
}

DynamicLibrary::~DynamicLibrary()
{
  if (m_handle != nullptr && !m_keep) {
    ::dlclose(m_handle);
  }
}

void* DynamicLibrary::symbol(const char* name) const
{
  return ::dlsym(m_handle, name);
}

std::string describe(const LibraryError& error, const LibraryNeed& need)
{
  switch (error.kind) {
  case LibraryError::Kind::cannot_load:
    return fmt::format("cannot load {}{}: {}; hint: {}", need.name, need.purpose, error.detail,
                       need.install);
  case LibraryError::Kind::missing_functions:
    break;
  }
  return fmt::format("cannot use {} from {}: it lacks {}; hint: {}", need.name, need.file,
                     error.detail, need.upgrade);
}

} // namespace pt
