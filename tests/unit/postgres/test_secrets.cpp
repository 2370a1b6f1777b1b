// SPDX-License-Identifier: MIT
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "postgres/secrets.hpp"
#include "test_support.hpp"

using namespace pt;
using pt::test::TempDir;

namespace {

Database database_with(std::optional<std::string> file, std::optional<std::string> credential)
{
  Database database;
  database.name = "main";
  database.password_file = std::move(file);
  database.password_credential = std::move(credential);
  return database;
}

} // namespace

TEST_CASE("redact: replaces every occurrence of the secret")
{
  CHECK(redact("password=s3cret host=s3cret.example", "s3cret") ==
        "password=******** host=********.example");
  CHECK(redact("s3crets3cret", "s3cret") == "****************");
  CHECK(redact("nothing here", "s3cret") == "nothing here");
  CHECK(redact("", "s3cret").empty());
}

TEST_CASE("redact: an empty secret changes nothing")
{
  CHECK(redact("any text", "") == "any text");
}

TEST_CASE("redact_all: removes every secret, longer ones whole")
{
  CHECK(redact_all("a=pass b=password", {"pass", "password"}) == "a=******** b=********");
  CHECK(redact_all("a=pass b=password", {}) == "a=pass b=password");
  CHECK(redact_all("x", {""}) == "x");
}

TEST_CASE("password_path: password_file, credential, or none")
{
  SUBCASE("password_file wins")
  {
    const auto path = password_path(database_with("/etc/pt/pw", "cred"), "/run/creds");
    REQUIRE(path);
    CHECK(*path == std::optional<std::string>("/etc/pt/pw"));
  }
  SUBCASE("credential in $CREDENTIALS_DIRECTORY")
  {
    CHECK(*password_path(database_with({}, "db-pw"), "/run/creds") ==
          std::optional<std::string>("/run/creds/db-pw"));
    CHECK(*password_path(database_with({}, "db-pw"), "/run/creds/") ==
          std::optional<std::string>("/run/creds/db-pw"));
  }
  SUBCASE("neither")
  {
    const auto path = password_path(database_with({}, {}), "");
    REQUIRE(path);
    CHECK_FALSE(path->has_value());
  }
}

TEST_CASE("password_path: a credential needs $CREDENTIALS_DIRECTORY and a plain name")
{
  const auto unset = password_path(database_with({}, "db-pw"), "");
  REQUIRE_FALSE(unset);
  CHECK(unset.error() ==
        "database \"main\": password_credential \"db-pw\" needs $CREDENTIALS_DIRECTORY, which "
        "is not set (systemd sets it for LoadCredential= in the service)");
  for (const char* name : {"../etc/shadow", "a/b", "..", "."}) {
    const auto bad = password_path(database_with({}, name), "/run/creds");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == "database \"main\": password_credential \"" + std::string(name) +
                             "\" is not a credential name");
  }
}

TEST_CASE("password_from_content: the first line without its line end")
{
  CHECK(*password_from_content("s3cret\n") == "s3cret");
  CHECK(*password_from_content("s3cret") == "s3cret");
  CHECK(*password_from_content("s3cret\r\n") == "s3cret");
  CHECK(*password_from_content("s3cret\nsecond line\n") == "s3cret");
  CHECK(*password_from_content(" spaced pass ") == " spaced pass ");
  CHECK(password_from_content("\n").error() == "its first line is empty");
  CHECK(password_from_content("").error() == "its first line is empty");
}

TEST_CASE("FileSecretSource: reads the file or credential, names the path on errors")
{
  const TempDir temp{"secrets"};
  const std::string dir = temp.path().string();
  const auto file = temp.write("app.password", "pa55word\n").string();
  temp.write("db-pw", "cred-pass\r\n");
  const auto empty = temp.write("empty", "").string();
  const FileSecretSource secrets(dir);

  CHECK(*secrets.password(database_with(file, {})) == std::optional<std::string>("pa55word"));
  CHECK(*secrets.password(database_with({}, "db-pw")) == std::optional<std::string>("cred-pass"));
  CHECK_FALSE(secrets.password(database_with({}, {}))->has_value());

  const auto missing = secrets.password(database_with(dir + "/nope", {}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error() ==
        "cannot read the password file " + dir + "/nope: No such file or directory");
  const auto blank = secrets.password(database_with(empty, {}));
  REQUIRE_FALSE(blank);
  CHECK(blank.error() ==
        "the password file " + empty + " holds no password: its first line is empty");
  const auto directory = secrets.password(database_with(dir, {}));
  REQUIRE_FALSE(directory);
  CHECK(directory.error() == "cannot read the password file " + dir + ": Is a directory");
}

TEST_CASE("FileSecretSource: a FIFO or a device is refused at once, never read")
{
  const TempDir temp{"secrets"};
  const std::string fifo = temp.path().string() + "/pw.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const FileSecretSource secrets(temp.path().string());
  // With no writer, a blocking open() of the FIFO would never return.
  const auto from_fifo = secrets.password(database_with(fifo, {}));
  REQUIRE_FALSE(from_fifo);
  CHECK(from_fifo.error() ==
        "cannot read the password file " + fifo +
            ": not a regular file (a FIFO); write the password into a regular file, or use "
            "password_credential with LoadCredential=");
  const auto from_device = secrets.password(database_with(std::string("/dev/zero"), {}));
  REQUIRE_FALSE(from_device);
  CHECK(from_device.error() ==
        "cannot read the password file /dev/zero: not a regular file (a character device); "
        "write the password into a regular file, or use password_credential with "
        "LoadCredential=");
}
