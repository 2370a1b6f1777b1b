// SPDX-License-Identifier: MIT
// An empty program. CMakeLists.txt links it against the shared libraries
// periodic_tasks needs (and once more with libpq as well), so its start-up
// time is what dynamic loading alone costs: the floor under `periodic_tasks
// check` before it reads a single byte of config.
int main()
{
  return 0;
}
