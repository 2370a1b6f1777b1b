// SPDX-License-Identifier: MIT
// "did you mean" suggestions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pt {

// Returns the Levenshtein distance between `a` and `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Returns the candidate closest to `word` if it is close enough to be a likely
// typo (distance at most a third of the word's length, at least 1), else nothing.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

} // namespace pt
