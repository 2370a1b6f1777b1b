// SPDX-License-Identifier: MIT
// Which tasks a run runs.
#pragma once

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"

namespace pt {

// Returns the tasks to run: every enabled task without a schedule in config
// order when `names` is empty (a scheduled task runs on its own timer), else exactly the named
// tasks (disabled ones too) in the order given, each once. An unknown name is an error message with
// a "did you mean" hint.
tl::expected<std::vector<const Task*>, std::string>
select_tasks(const Config& config, const std::vector<std::string>& names);

} // namespace pt
