// SPDX-License-Identifier: MIT
#include "postgres/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include <climits>
#include <fmt/format.h>

namespace pt {
namespace {

constexpr std::string_view k_connection_lead = "connection to server ";
constexpr std::string_view k_failed = " failed: ";

bool is_space(char c)
{
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

} // namespace

std::string one_line(std::string_view message)
{
  std::string out;
  out.reserve(message.size());
  bool pending_space = false;
  bool pending_newline = false;
  for (const char c : message) {
    if (is_space(c)) {
      pending_space = !out.empty();
      pending_newline = pending_newline || (pending_space && c == '\n');
      continue;
    }
    if (pending_space) {
      // A line that starts a sentence ("\n\tIs the server running...?") after
      // one that did not end one gets the full stop the line break stood for.
      const bool sentence = pending_newline && std::isupper(static_cast<unsigned char>(c)) != 0 &&
                            std::string_view(".?!:;").find(out.back()) == std::string_view::npos;
      out += sentence ? ". " : " ";
      pending_space = false;
      pending_newline = false;
    }
    out += c;
  }
  return out;
}

std::string connect_failure_reason(std::string_view message)
{
  auto line = one_line(message);
  const std::string_view view = line;
  if (view.substr(0, k_connection_lead.size()) != k_connection_lead ||
      view.find(k_connection_lead, 1) != std::string_view::npos) {
    return line; // none, or one per host tried: keep every server's name
  }
  const auto failed = view.find(k_failed);
  if (failed == std::string_view::npos) {
    return line;
  }
  return std::string(view.substr(failed + k_failed.size()));
}

bool is_authentication_failure(std::string_view message)
{
  // The server's texts (src/backend/libpq/auth.c, utils/init/postinit.c). Under
  // a translated lc_messages they do not match, and the failure stays
  // retryable: that costs retries, never a wrong verdict.
  constexpr std::array<std::string_view, 4> k_texts = {
      "authentication failed for user \"",   // 28P01 password; 28000 peer, ident, cert, ...
      "no pg_hba.conf entry for ",           // 28000
      "pg_hba.conf rejects connection for ", // 28000
      "\" is not permitted to log in",       // 28000 (NOLOGIN role)
  };
  const auto found = [&](std::string_view text) {
    return message.find(text) != std::string_view::npos;
  };
  if (std::any_of(k_texts.begin(), k_texts.end(), found)) {
    return true;
  }
  const auto role = message.find("FATAL:  role \""); // 28000: role "x" does not exist
  return role != std::string_view::npos &&
         message.find("\" does not exist", role) != std::string_view::npos;
}

std::string describe_server(std::string_view host, std::string_view port, std::string_view dbname,
                            std::string_view user)
{
  std::string out;
  const auto add = [&out](std::string_view key, std::string_view value) {
    if (value.empty()) {
      return;
    }
    if (!out.empty()) {
      out += ' ';
    }
    out.append(key).append("=").append(value);
  };
  add("host", host);
  add("port", port);
  add("dbname", dbname);
  add("user", user);
  return out;
}

std::string statement_timeout_value(Duration timeout)
{
  if (timeout == k_infinite) {
    return "0";
  }
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
  return std::to_string(std::clamp<decltype(ms)>(ms, 1, INT_MAX));
}

std::string connect_timeout_value(Duration timeout)
{
  if (timeout == k_infinite) {
    return "0";
  }
  const auto s = std::chrono::ceil<std::chrono::seconds>(timeout).count();
  return std::to_string(std::clamp<decltype(s)>(s, 1, INT_MAX));
}

std::string settings_statement(std::size_t count)
{
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < count; ++i) {
    sql += fmt::format("{}set_config(${}, ${}, true)", i == 0 ? "" : ", ", 2 * i + 1, 2 * i + 2);
  }
  return count == 0 ? std::string("SELECT") : sql;
}

bool is_set_transaction(std::string_view statement)
{
  for (;;) {
    while (!statement.empty() && is_space(statement.front())) {
      statement.remove_prefix(1);
    }
    if (statement.substr(0, 2) != "--") {
      break;
    }
    const auto end = statement.find('\n');
    statement = end == std::string_view::npos ? std::string_view() : statement.substr(end);
  }
  std::string words; // upper case, each run of whitespace one space
  for (const char c : statement.substr(0, 32)) {
    if (!is_space(c)) {
      words += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!words.empty() && words.back() != ' ') {
      words += ' ';
    }
  }
  return words.substr(0, 16) == "SET TRANSACTION ";
}

std::string preview_cell(std::string_view value, std::size_t max_bytes)
{
  if (value.size() <= max_bytes) {
    return std::string(value);
  }
  auto cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0U) == 0x80U) {
    --cut; // value[cut] continues a sequence: cut before the sequence starts
  }
  return std::string(value.substr(0, cut)) + "...";
}

} // namespace pt
