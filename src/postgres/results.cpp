// SPDX-License-Identifier: MIT
// Reading libpq's results into a SqlResult: the server's error fields, row
// counts (rows changed, not rows read), and a short preview of returned rows.
#include <charconv>
#include <string_view>

#include "postgres/internal.hpp"
#include "postgres/text.hpp"
#include "util/text.hpp"

namespace pt::pg {
namespace {

std::string error_field(const PGresult* result, int code)
{
  const char* value = pq().PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

std::int64_t command_count(PGresult* result)
{
  const std::string_view text = pq().PQcmdTuples(result);
  std::int64_t count = 0;
  std::from_chars(text.data(), text.data() + text.size(), count);
  return count;
}

// True for commands whose count is rows read, not rows changed.
bool counts_rows_read(PGresult* result)
{
  const std::string_view tag = pq().PQcmdStatus(result);
  const bool select =
      tag.substr(0, 7) == "SELECT " && pq().PQresultStatus(result) == PGRES_TUPLES_OK;
  return select || tag.substr(0, 6) == "FETCH " || tag.substr(0, 5) == "MOVE ";
}

void take_rows(SqlResult& sql, const PGresult* result)
{
  const int rows = pq().PQntuples(result);
  const int columns = pq().PQnfields(result);
  sql.rows_returned = rows;
  sql.columns.clear();
  for (int column = 0; column < columns; ++column) {
    sql.columns.emplace_back(pq().PQfname(result, column));
  }
  sql.preview.clear();
  for (int row = 0; row < rows && sql.preview.size() < k_preview_rows; ++row) {
    auto& values = sql.preview.emplace_back();
    for (int column = 0; column < columns; ++column) {
      values.push_back(
          pq().PQgetisnull(result, row, column) != 0
              ? std::string("NULL")
              : preview_cell(pq().PQgetvalue(result, row, column), k_preview_cell_bytes));
    }
  }
}

} // namespace

const PGresult* first_error(const Results& results)
{
  for (const auto& result : results) {
    const auto status = pq().PQresultStatus(result.get());
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
      return result.get();
    }
  }
  return nullptr;
}

void take_error(SqlResult& result, const PGresult* error)
{
  result.sqlstate = error_field(error, PG_DIAG_SQLSTATE);
  result.message = one_line(error_field(error, PG_DIAG_MESSAGE_PRIMARY));
  result.detail = error_field(error, PG_DIAG_MESSAGE_DETAIL);
  result.hint = error_field(error, PG_DIAG_MESSAGE_HINT);
  result.context = error_field(error, PG_DIAG_CONTEXT);
  if (result.message.empty()) {
    result.message =
        one_line(pq().PQresultErrorMessage(error)); // libpq's own errors have no fields
  }
}

void absorb(SqlResult& sql, const Results& results)
{
  for (const auto& result : results) {
    const auto status = pq().PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      continue;
    }
    if (!counts_rows_read(result.get())) {
      sql.rows_affected += command_count(result.get());
    }
    if (status == PGRES_TUPLES_OK) {
      take_rows(sql, result.get());
    }
  }
}

} // namespace pt::pg
