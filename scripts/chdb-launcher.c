/*
 * chdb-launcher runs clickhouse-local from chDB's libchdb.so with the
 * arguments it is given. With SYSTEM START LISTEN TCP/HTTP and a blocking
 * keep-alive query, that is a ClickHouse server on loopback for as long as
 * the query runs. See scripts/clickhouse, which builds and drives it.
 *
 * Usage: chdb-launcher LIBCHDB_SO [clickhouse-local arguments...]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *(*query_cmdline_fn)(int, char **);
typedef const char *(*result_error_fn)(void *);

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: %s LIBCHDB_SO [clickhouse-local arguments...]\n", argv[0]);
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL) {
		fprintf(stderr, "chdb-launcher: dlopen %s: %s\n", argv[1], dlerror());
		return 2;
	}
	query_cmdline_fn query = (query_cmdline_fn)dlsym(lib, "chdb_query_cmdline");
	result_error_fn result_error = (result_error_fn)dlsym(lib, "chdb_result_error");
	if (query == NULL) {
		fprintf(stderr, "chdb-launcher: %s has no chdb_query_cmdline\n", argv[1]);
		return 2;
	}
	/* clickhouse-local expects its own name in argv[0]. */
	argv[1] = "clickhouse";
	void *res = query(argc - 1, argv + 1);
	if (res == NULL) {
		fprintf(stderr, "chdb-launcher: query returned no result\n");
		return 1;
	}
	if (result_error != NULL) {
		const char *err = result_error(res);
		if (err != NULL && err[0] != '\0') {
			fprintf(stderr, "chdb-launcher: %s\n", err);
			return 1;
		}
	}
	return 0;
}
