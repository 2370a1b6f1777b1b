// SPDX-License-Identifier: MIT
#include <cstddef>
#include <string>

#include <doctest/doctest.h>

#include "util/unix_address.hpp"

using pt::unix_address;

namespace {

constexpr std::size_t k_header = offsetof(sockaddr_un, sun_path);
constexpr std::size_t k_sun_path = sizeof(sockaddr_un::sun_path);

} // namespace

TEST_CASE("unix_address: a path, its terminating NUL counted")
{
  const auto address = unix_address("/run/systemd/journal/socket");
  REQUIRE(address);
  CHECK(address->address.sun_family == AF_UNIX);
  CHECK(std::string(address->address.sun_path) == "/run/systemd/journal/socket");
  CHECK(address->length == k_header + 27 + 1);
  CHECK(static_cast<const void*>(address->get()) == static_cast<const void*>(&address->address));
}

TEST_CASE("unix_address: '@' names an abstract socket, with no NUL counted")
{
  const auto address = unix_address("@notify");
  REQUIRE(address);
  CHECK(address->address.sun_family == AF_UNIX);
  CHECK(address->address.sun_path[0] == '\0');
  CHECK(std::string(address->address.sun_path + 1, 6) == "notify");
  CHECK(address->length == k_header + 7);
}

TEST_CASE("unix_address: nothing for a name too long for sun_path")
{
  CHECK_FALSE(unix_address(std::string(k_sun_path, 'x')));
  CHECK_FALSE(unix_address("@" + std::string(k_sun_path - 1, 'x')));
  const auto longest = unix_address("/" + std::string(k_sun_path - 2, 'x'));
  REQUIRE(longest);
  CHECK(longest->length == k_header + k_sun_path);
}
