/*
 * A current ClickHouse server for tests, from the npm package @chdb/lib-linux-x64-gnu.
 *
 * libchdb.so is ClickHouse as a library; its chdb_query_cmdline(argc, argv) is a whole
 * clickhouse-local. Given --listen_host/--http_port/--tcp_port and a --query that starts with
 * `SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP;` it serves both protocols for as long as
 * its last query runs: start-modern.sh ends the query with an endless, sleeping SELECT, so the
 * server lives until it is signalled. Built by scripts/clickhouse/chdb-install.sh with Debian's gcc.
 *
 * The arguments are passed through unchanged (argv[0] is the program name clickhouse-local expects).
 */
#include <stdio.h>

/* From chdb.h (not shipped in the npm package): the result handle is opaque here. */
struct chdb_result;
extern struct chdb_result *chdb_query_cmdline(int argc, char **argv);
extern const char *chdb_result_error(struct chdb_result *result);
extern void chdb_destroy_query_result(struct chdb_result *result);

int main(int argc, char **argv) {
  struct chdb_result *r = chdb_query_cmdline(argc, argv);
  if (r == NULL) {
    fprintf(stderr, "chdb-server: chdb_query_cmdline returned no result\n");
    return 1;
  }
  const char *err = chdb_result_error(r);
  int failed = err != NULL && err[0] != '\0';
  if (failed) fprintf(stderr, "chdb-server: %s\n", err);
  chdb_destroy_query_result(r);
  return failed ? 1 : 0;
}
