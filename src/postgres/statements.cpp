// SPDX-License-Identifier: MIT
// Splitting SQL text into commands follows psql's lexer (src/fe_utils/psqlscan.l):
// a ';' ends a command unless it is inside a '...' or E'...' string (backslash
// escapes in E'...', and in '...' too when standard_conforming_strings is
// off), a "..." identifier, a $tag$...$tag$ dollar quote, a -- or nested /* */
// comment, parentheses, or the BEGIN ... END of a CREATE [OR REPLACE]
// FUNCTION/PROCEDURE body (BEGIN ATOMIC), counted with CASE as psql counts it.
// A mistake here cannot hide a command from the server: the edge sends each
// command with the extended protocol, which refuses two commands in one
// (42601), and a command cut in two is a syntax error.
#include "postgres/statements.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "postgres/text.hpp"

namespace pt {
namespace {

constexpr std::size_t k_shown_bytes = 64;

bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_ident_start(char c)
{
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) != 0 || c == '_' || u >= 0x80;
}

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool is_ident_cont(char c)
{
  return is_ident_start(c) || is_digit(c) || c == '$';
}

std::string lower(std::string_view word)
{
  std::string out(word);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Moves `at` past whitespace and comments; returns false when the text ends.
bool skip_blank(std::string_view sql, std::size_t& at)
{
  while (at < sql.size()) {
    if (is_space(sql[at])) {
      ++at;
    } else if (sql.substr(at, 2) == "--") {
      const auto end = sql.find('\n', at);
      at = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(at, 2) == "/*") {
      int depth = 1; // comments nest
      for (at += 2; at < sql.size() && depth > 0;) {
        if (sql.substr(at, 2) == "/*") {
          ++depth;
          at += 2;
        } else if (sql.substr(at, 2) == "*/") {
          --depth;
          at += 2;
        } else {
          ++at;
        }
      }
    } else {
      return true;
    }
  }
  return false;
}

// Finds the commands of one statement string.
class Splitter
{
public:
  Splitter(std::string_view sql, StandardStrings strings)
      : m_sql(sql), m_backslash_quotes(strings == StandardStrings::off)
  {
  }
  std::vector<SqlCommand> run();

private:
  void skip_quoted(char quote, bool backslash);
  bool skip_dollar();
  void word();
  void end_command(std::size_t end);

  std::string_view m_sql;
  bool m_backslash_quotes;
  std::size_t m_at = 0;
  std::size_t m_start = 0;         // where the command under way starts
  bool m_content = false;          // it holds more than whitespace and comments
  int m_parens = 0;                // open parentheses
  int m_begins = 0;                // open BEGIN (and CASE) of a function body
  std::array<char, 4> m_leading{}; // psql's "identifiers": c, o, r, f, p of the first words
  std::size_t m_words = 0;         // words of the command so far
  int m_params = 0;                // the highest $n outside function bodies
  std::vector<SqlCommand> m_commands;
};

std::vector<SqlCommand> Splitter::run()
{
  while (skip_blank(m_sql, m_at)) {
    const char c = m_sql[m_at];
    m_content = m_content || c != ';';
    if (c == '\'') {
      skip_quoted('\'', m_backslash_quotes);
    } else if (c == '"') {
      skip_quoted('"', false);
    } else if (c == '$' && skip_dollar()) {
      continue;
    } else if (is_ident_start(c)) {
      word();
    } else if (is_digit(c)) {
      while (m_at < m_sql.size() && (is_ident_cont(m_sql[m_at]) || m_sql[m_at] == '.')) {
        ++m_at; // a number, so that 1e'..' is not an E'..' string
      }
    } else {
      if (c == '(') {
        ++m_parens;
      } else if (c == ')' && m_parens > 0) {
        --m_parens;
      }
      ++m_at;
      if (c == ';' && m_parens == 0 && m_begins == 0) {
        end_command(m_at);
      }
    }
  }
  end_command(m_sql.size());
  return std::move(m_commands);
}

void Splitter::end_command(std::size_t end)
{
  if (m_content) {
    m_commands.push_back({m_sql.substr(m_start, end - m_start), m_params});
  }
  m_params = 0;
  m_start = end;
  m_content = false;
  m_parens = 0;
  m_begins = 0;
  m_words = 0;
}

// Skips a '...' string or "..." identifier from its opening quote; a doubled
// quote stays inside, as does any character after a backslash if `backslash`.
void Splitter::skip_quoted(char quote, bool backslash)
{
  for (++m_at; m_at < m_sql.size(); ++m_at) {
    const char c = m_sql[m_at];
    if (c == '\\' && backslash) {
      ++m_at;
    } else if (c == quote) {
      if (m_at + 1 < m_sql.size() && m_sql[m_at + 1] == quote) {
        ++m_at;
      } else {
        ++m_at;
        return;
      }
    }
  }
}

// Skips a parameter ($1) or a dollar-quoted string from its '$'; false when
// the '$' starts neither.
bool Splitter::skip_dollar()
{
  auto end = m_at + 1;
  if (end < m_sql.size() && is_digit(m_sql[end])) {
    int number = 0;
    for (; end < m_sql.size() && is_digit(m_sql[end]); ++end) {
      number = std::min(number * 10 + (m_sql[end] - '0'), 1'000'000);
    }
    if (m_begins == 0) { // inside BEGIN ATOMIC, $n are the function's arguments
      m_params = std::max(m_params, number);
    }
    m_at = end;
    return true;
  }
  if (end < m_sql.size() && is_ident_start(m_sql[end])) {
    while (end < m_sql.size() && is_ident_cont(m_sql[end]) && m_sql[end] != '$') {
      ++end;
    }
  }
  if (end >= m_sql.size() || m_sql[end] != '$') {
    return false;
  }
  const auto tag = m_sql.substr(m_at, end + 1 - m_at);
  const auto close = m_sql.find(tag, end + 1);
  m_at = close == std::string_view::npos ? m_sql.size() : close + tag.size();
  return true;
}

// Reads a word: an E'...' string's prefix, or an identifier or keyword, which
// psql's heuristic for BEGIN ATOMIC bodies counts.
void Splitter::word()
{
  const auto start = m_at;
  while (m_at < m_sql.size() && is_ident_cont(m_sql[m_at])) {
    ++m_at;
  }
  const auto text = lower(m_sql.substr(start, m_at - start));
  if (text == "e" && m_at < m_sql.size() && m_sql[m_at] == '\'') {
    skip_quoted('\'', true);
    return;
  }
  if (m_words == 0) {
    m_leading = {};
  }
  const bool leading_word = text == "create" || text == "function" || text == "procedure" ||
                            text == "or" || text == "replace";
  if (leading_word && m_words < m_leading.size()) {
    m_leading[m_words] = text.front();
  }
  ++m_words;
  const auto& w = m_leading;
  const bool routine =
      w[0] == 'c' &&
      (w[1] == 'f' || w[1] == 'p' || (w[1] == 'o' && w[2] == 'r' && (w[3] == 'f' || w[3] == 'p')));
  if (!routine || m_parens != 0) {
    return;
  }
  // CASE ends with END too; it matters only inside a BEGIN.
  if (text == "begin" || (text == "case" && m_begins >= 1)) {
    ++m_begins;
  } else if (text == "end" && m_begins > 0) {
    --m_begins;
  }
}

// The first words of a command in lower case, where its first word starts,
// and the character that ended the words ('\0' at the end of the text).
struct Leading
{
  std::vector<std::string> words;
  std::size_t start = 0;
  char next = '\0';
};

Leading leading_words(std::string_view command, std::size_t count)
{
  Leading out;
  std::size_t at = 0;
  while (out.words.size() < count && skip_blank(command, at) && is_ident_start(command[at])) {
    if (out.words.empty()) {
      out.start = at;
    }
    const auto start = at;
    while (at < command.size() && is_ident_cont(command[at])) {
      ++at;
    }
    out.words.push_back(lower(command.substr(start, at - start)));
  }
  if (skip_blank(command, at)) {
    out.next = command[at];
  }
  return out;
}

bool is_transaction_control(const Leading& leading)
{
  const auto& w = leading.words;
  const auto word = [&w](std::size_t i) { return i < w.size() ? std::string_view(w[i]) : ""; };
  const auto first = word(0);
  if (first == "begin" || first == "commit" || first == "end" || first == "abort") {
    return true;
  }
  if (first == "start") {
    return word(1) == "transaction";
  }
  if (first == "rollback") {
    const std::size_t next = word(1) == "work" || word(1) == "transaction" ? 2 : 1;
    return word(next) != "to"; // ROLLBACK TO SAVEPOINT stays in the transaction
  }
  if (first == "prepare") { // PREPARE TRANSACTION 'id', not PREPARE transaction [(types)] AS ...
    return word(1) == "transaction" && word(2) != "as" && !(w.size() == 2 && leading.next == '(');
  }
  return false;
}

} // namespace

std::vector<SqlCommand> split_commands(std::string_view sql, StandardStrings strings)
{
  return Splitter(sql, strings).run();
}

std::string transaction_control(std::string_view command)
{
  const auto leading = leading_words(command, 3);
  if (!is_transaction_control(leading)) {
    return {};
  }
  auto text = command.substr(leading.start);
  while (!text.empty() && (is_space(text.back()) || text.back() == ';')) {
    text.remove_suffix(1);
  }
  return preview_cell(one_line(text), k_shown_bytes);
}

std::string find_transaction_control(std::string_view sql)
{
  for (const auto& command : split_commands(sql)) {
    if (auto shown = transaction_control(command.text); !shown.empty()) {
      return shown;
    }
  }
  return {};
}

} // namespace pt
