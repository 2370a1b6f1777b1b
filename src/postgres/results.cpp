// SPDX-License-Identifier: MIT
// Reading libpq's results into a SqlResult: the server's error fields, row
// counts (rows changed, not rows read), and a short preview of returned rows,
// which arrive one at a time (single-row mode) and are dropped once counted.
#include <charconv>
#include <string_view>
#include <utility>

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

std::vector<std::string> row_values(const PGresult* result, int row)
{
  std::vector<std::string> values;
  const int columns = pq().PQnfields(result);
  values.reserve(static_cast<std::size_t>(columns));
  for (int column = 0; column < columns; ++column) {
    values.push_back(
        pq().PQgetisnull(result, row, column) != 0
            ? std::string("NULL")
            : preview_cell(pq().PQgetvalue(result, row, column), k_preview_cell_bytes));
  }
  return values;
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

void ResultReader::take(ResultPtr result)
{
  switch (pq().PQresultStatus(result.get())) {
  case PGRES_SINGLE_TUPLE:
    add_row(result.get());
    return;
  case PGRES_TUPLES_OK:
    finish_rows(result.get());
    break;
  case PGRES_COMMAND_OK:
    break;
  case PGRES_FATAL_ERROR:
  case PGRES_BAD_RESPONSE:
    if (!m_error) {
      m_error = std::move(result);
    }
    return;
  default:
    return; // an empty query, a notice, a pipeline's aborted command
  }
  m_tag = pq().PQcmdStatus(result.get());
  if (!counts_rows_read(result.get())) {
    m_sql.rows_affected += command_count(result.get());
  }
}

void ResultReader::add_row(const PGresult* row)
{
  ++m_rows; // counted; kept only as far as the preview
  if (m_preview.size() < k_preview_rows) {
    m_preview.push_back(row_values(row, 0));
  }
}

// A row set is complete: its rows (read one at a time, or all in `end`
// outside single-row mode) become the result's rows returned and preview.
void ResultReader::finish_rows(const PGresult* end)
{
  const int rows = pq().PQntuples(end);
  for (int row = 0; row < rows && m_preview.size() < k_preview_rows; ++row) {
    m_preview.push_back(row_values(end, row));
  }
  m_sql.rows_returned = m_rows + rows;
  m_sql.columns.clear();
  for (int column = 0; column < pq().PQnfields(end); ++column) {
    m_sql.columns.emplace_back(pq().PQfname(end, column));
  }
  m_sql.preview = std::exchange(m_preview, {});
  m_rows = 0;
}

} // namespace pt::pg
