// SPDX-License-Identifier: MIT
#include "util/unix_address.hpp"

#include <cstddef>

namespace pt {

std::optional<UnixAddress> unix_address(std::string_view name)
{
  UnixAddress unix;
  if (name.size() >= sizeof(unix.address.sun_path)) {
    return std::nullopt;
  }
  unix.address.sun_family = AF_UNIX;
  name.copy(unix.address.sun_path, name.size());
  unix.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  if (name.starts_with('@')) {
    unix.address.sun_path[0] = '\0'; // the abstract namespace: no terminating NUL in the length
  } else {
    unix.length += 1;
  }
  return unix;
}

} // namespace pt
