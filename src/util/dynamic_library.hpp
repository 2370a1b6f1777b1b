// SPDX-License-Identifier: MIT
// A shared object loaded with dlopen() on first use, and a table of its functions.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace pt {

// Why a shared object's functions could not be had.
struct LibraryError
{
  enum class Kind {
    cannot_load,       // dlopen() failed: `detail` is dlerror()'s text, or the file name
    missing_functions, // loaded, but `detail` names the functions it lacks, comma-separated
  };
  Kind kind;
  std::string detail;
};

// A shared object opened with RTLD_NOW | RTLD_LOCAL: its symbols stay out of
// the global namespace, and one that cannot be bound fails the open rather
// than a call in the middle of a task. Closed when destroyed, unless kept.
class DynamicLibrary
{
public:
  // Opens `file` (a soname or a path); the error is dlerror()'s text, or `file`.
  static tl::expected<DynamicLibrary, std::string> open(const char* file);
  DynamicLibrary(DynamicLibrary&& other) noexcept;
  DynamicLibrary& operator=(DynamicLibrary&&) = delete;
  ~DynamicLibrary();

  // Sets `function` to the library's function `name`; when it has none, to
  // nullptr, and adds `name` to missing().
  template <typename Function>
  void resolve(const char* name, Function*& function)
  {
    function = reinterpret_cast<Function*>(symbol(name));
    if (function == nullptr) {
      m_missing += m_missing.empty() ? name : std::string(", ") + name;
    }
  }
  // Returns the names resolve() did not find, comma-separated; "" when none.
  const std::string& missing() const { return m_missing; }
  // Keeps the library loaded until the process exits.
  void keep_loaded() { m_keep = true; }

private:
  explicit DynamicLibrary(void* handle) : m_handle(handle) {}
  void* symbol(const char* name) const;

  void* m_handle;
  bool m_keep = false;
  std::string m_missing;
};

// Opens `file` and fills `table` by calling `resolve_all(library, table)`,
// which resolves each function of the table. With every function found, the
// library stays loaded until the process exits; otherwise it is closed and
// `table` left empty (`Table{}`).
template <typename Table, typename ResolveAll>
tl::expected<void, LibraryError> load_function_table(const char* file, Table& table,
                                                     ResolveAll resolve_all)
{
  auto library = DynamicLibrary::open(file);
  if (!library) {
    return tl::unexpected(LibraryError{LibraryError::Kind::cannot_load, library.error()});
  }
  resolve_all(*library, table);
  if (!library->missing().empty()) {
    table = Table{};
    return tl::unexpected(LibraryError{LibraryError::Kind::missing_functions, library->missing()});
  }
  library->keep_loaded();
  return {};
}

// A library the program loads on first use, in the words a user reads when
// it cannot: "cannot load libpq: <dlerror>; hint: install the libpq5 package",
// or "cannot use libpq from libpq.so.5: it lacks PQx; hint: <upgrade>".
struct LibraryNeed
{
  const char* file;         // what dlopen() opens: a soname
  std::string_view name;    // "libpq"
  std::string_view purpose; // after "cannot load libpq": "" or " to read the journal"
  std::string_view install; // the hint when it cannot be loaded
  std::string_view upgrade; // the hint when it lacks functions
};

// The message for `error`, in the words of `need`.
std::string describe(const LibraryError& error, const LibraryNeed& need);

// Loads `need.file` into `table` (load_function_table) on the first call and
// returns the same answer, the described error or success, on every call.
// One table type is one library: the state is kept per `Table`.
template <typename Table, typename ResolveAll>
tl::expected<void, std::string> load_once(const LibraryNeed& need, Table& table,
                                          ResolveAll resolve_all)
{
  static std::once_flag once;
  static tl::expected<void, std::string> loaded;
  std::call_once(once, [&] {
    if (auto result = load_function_table(need.file, table, resolve_all); !result) {
      loaded = tl::unexpected(describe(result.error(), need));
    }
  });
  return loaded;
}

} // namespace pt
