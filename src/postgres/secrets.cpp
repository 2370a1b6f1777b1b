// SPDX-License-Identifier: MIT
// A password is read only when a connection needs it, and only its first line:
// the file may end with a newline (echo > file) or CRLF (an editor elsewhere).
// Read errors name the file and errno's text, never a byte of its content.
#include "postgres/secrets.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/regular_file.hpp"

namespace pt {
namespace {

// A password is a line; anything past this is not a password file.
constexpr std::size_t k_max_password_file = std::size_t{64} * 1024;

// Reads `path`, a regular file, up to k_max_password_file bytes (a chunk
// more at most: the first line is the password). A FIFO,
// a terminal or a device is refused: opening or reading one could block the
// run where no signal stops it (the runner takes SIGTERM through a signalfd),
// or return bytes without end. O_NONBLOCK keeps the open of a FIFO from
// blocking; it changes nothing for a regular file.
tl::expected<std::string, std::string> read_bounded(const std::string& path)
{
  auto file = open_regular_file(AT_FDCWD, path.c_str());
  if (!file && file.error().error == 0) {
    return tl::unexpected(
        fmt::format("cannot read the password file {}: not a regular file ({}); write the password "
                    "into a regular file, or use password_credential with LoadCredential=",
                    path, file_type_name(file.error().mode)));
  }
  auto content = file ? read_up_to(file->fd.get(), k_max_password_file)
                      : tl::expected<std::string, int>(tl::unexpect, file.error().error);
  if (!content) {
    return tl::unexpected(
        fmt::format("cannot read the password file {}: {}", path, std::strerror(content.error())));
  }
  return std::move(*content);
}

} // namespace

std::string redact(std::string_view text, std::string_view secret)
{
  if (secret.empty()) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size());
  std::size_t from = 0;
  for (auto at = text.find(secret); at != std::string_view::npos; at = text.find(secret, from)) {
    out.append(text.substr(from, at - from));
    out.append(k_redacted);
    from = at + secret.size();
  }
  out.append(text.substr(from));
  return out;
}

std::string redact_all(std::string_view text, std::vector<std::string> secrets)
{
  std::sort(secrets.begin(), secrets.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::string out(text);
  for (const auto& secret : secrets) {
    out = redact(out, secret);
  }
  return out;
}

tl::expected<std::optional<std::string>, std::string>
password_path(const Database& database, std::string_view credentials_directory)
{
  if (database.password_file) {
    return database.password_file;
  }
  if (!database.password_credential) {
    return std::optional<std::string>();
  }
  const auto& name = *database.password_credential;
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return tl::unexpected(
        fmt::format("database \"{}\": password_credential \"{}\" is not a credential name",
                    database.name, name));
  }
  if (credentials_directory.empty()) {
    return tl::unexpected(fmt::format(
        "database \"{}\": password_credential \"{}\" needs $CREDENTIALS_DIRECTORY, which is "
        "not set (systemd sets it for LoadCredential= in the service)",
        database.name, name));
  }
  std::string path(credentials_directory);
  if (path.back() != '/') {
    path += '/';
  }
  return std::optional<std::string>(path + name);
}

tl::expected<std::string, std::string> password_from_content(std::string_view content)
{
  auto line = content.substr(0, content.find('\n'));
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.empty()) {
    return tl::unexpected(std::string("its first line is empty"));
  }
  return std::string(line);
}

FileSecretSource::FileSecretSource(std::string credentials_directory)
    : m_credentials_directory(std::move(credentials_directory))
{
}

tl::expected<std::optional<std::string>, std::string>
FileSecretSource::password(const Database& database) const
{
  const auto path = password_path(database, m_credentials_directory);
  if (!path) {
    return tl::unexpected(path.error());
  }
  if (!*path) {
    return std::optional<std::string>();
  }
  const auto content = read_bounded(**path);
  if (!content) {
    return tl::unexpected(content.error());
  }
  auto password = password_from_content(*content);
  if (!password) {
    return tl::unexpected(
        fmt::format("the password file {} holds no password: {}", **path, password.error()));
  }
  return std::optional<std::string>(std::move(*password));
}

} // namespace pt
