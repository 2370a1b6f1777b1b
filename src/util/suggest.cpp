// SPDX-License-Identifier: MIT
#include "util/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace pt {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
  // The optimal-string-alignment distance: insertions, deletions,
  // substitutions and swaps of two neighbouring characters ("mian" -> "main"),
  // the typos people make most. Three rows of the dynamic programme:
  // `row[j]` is the distance between the first `i` characters of `a` and the
  // first `j` of `b`; `prev` and `prev2` are the rows for i-1 and i-2.
  std::vector<std::size_t> prev2(b.size() + 1);
  std::vector<std::size_t> prev(b.size() + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(row);
  }
  return prev[b.size()];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates)
{
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  if (best == nullptr) {
    return std::nullopt;
  }
  return *best;
}

} // namespace pt
