// SPDX-License-Identifier: MIT
// Database passwords: where they come from, and keeping them out of every message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"

namespace pt {

// What replaces a secret in redacted text.
inline constexpr std::string_view k_redacted = "********";

// Returns `text` with every occurrence of `secret` replaced by k_redacted;
// an empty `secret` changes nothing.
std::string redact(std::string_view text, std::string_view secret);

// Returns `text` with every one of `secrets` redacted, longest first (so a
// secret that contains another is replaced whole).
std::string redact_all(std::string_view text, std::vector<std::string> secrets);

// Returns the file that holds `database`'s password: its password_file, or
// password_credential inside `credentials_directory` ($CREDENTIALS_DIRECTORY,
// empty when unset); nullopt when it names neither. The error explains which
// setting is unusable.
tl::expected<std::optional<std::string>, std::string>
password_path(const Database& database, std::string_view credentials_directory);

// Returns the password in a password file's `content`: its first line without
// the line end ("\n" or "\r\n"). An empty first line is an error.
tl::expected<std::string, std::string> password_from_content(std::string_view content);

// Supplies the password of a database at connect time (read anew for every
// connection, so a rotated credential is picked up by the next run).
class SecretSource
{
public:
  virtual ~SecretSource() = default;
  // Returns `database`'s password, nullopt when it has none configured (libpq
  // may still find one in ~/.pgpass or $PGPASSWORD). The error names the file
  // and the problem, never the content.
  virtual tl::expected<std::optional<std::string>, std::string>
  password(const Database& database) const = 0;
};

// Reads password_file, or the credential from `credentials_directory`.
class FileSecretSource final : public SecretSource
{
public:
  // `credentials_directory`: the value of $CREDENTIALS_DIRECTORY, empty when unset.
  explicit FileSecretSource(std::string credentials_directory);
  tl::expected<std::optional<std::string>, std::string>
  password(const Database& database) const override;

private:
  std::string m_credentials_directory;
};

} // namespace pt
