// SPDX-License-Identifier: MIT
// The generator's composition root: periodic-tasks-generator's main().
#pragma once

namespace pt {

// Runs the generator with systemd's arguments (NORMAL_DIR [EARLY_DIR LATE_DIR]):
// reads the config and writes the scheduled tasks' timers into NORMAL_DIR.
// Returns 0 unless the output cannot be written: a broken config is logged
// and leaves the scheduled tasks without timers, never fails the boot.
int generator_main(int argc, char** argv);

} // namespace pt
