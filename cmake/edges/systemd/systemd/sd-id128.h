// SPDX-License-Identifier: MIT
// A stand-in for <systemd/sd-id128.h> outside its edge folder (CMakeLists.txt, the edge rule).
#error "libsystemd is used only in src/journal/ (the journal edge): write records through the EventLog seam, read them through TaskJournal"
