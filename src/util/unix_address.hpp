// SPDX-License-Identifier: MIT
// AF_UNIX socket addresses from a path or an abstract name.
#pragma once

#include <optional>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>

namespace pt {

// An AF_UNIX address and the length to pass with it to sendto(), sendmsg() or bind().
struct UnixAddress
{
  sockaddr_un address{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&address); }
};

// Returns the address of the socket `name`: a file system path, or, when it
// starts with '@', the abstract name after it (systemd's notation; no NUL
// terminates it). Returns nullopt when `name` does not fit into sun_path.
std::optional<UnixAddress> unix_address(std::string_view name);

} // namespace pt
