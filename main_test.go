package chschema_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestMain gives the examples a server, as chtest gives tests one: from
// CHSCHEMA_TEST_DSN, a container or the local launcher. Without one the
// examples that need it are skipped with one line, except under CI=true,
// where that fails the run.
func TestMain(m *testing.M) {
	flag.Parse()
	srv, err := chtest.Start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "chschema examples: no ClickHouse (CI=true forbids skipping): %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "chschema examples: no ClickHouse, skipping the examples that need one: %v\n", err)
		skipExamplesThatNeedAServer()
	} else {
		exampleServer = srv.DSN
	}
	code := chtest.Main(m)
	if err := dropExampleDatabases(); err != nil {
		fmt.Fprintf(os.Stderr, "chschema examples: dropping their databases: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
