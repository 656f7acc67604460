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
	// The examples' databases are dropped while the server still runs:
	// Main stops a server it started once the tests are done.
	chtest.Cleanup(func() error {
		if err := dropExampleDatabases(); err != nil {
			return fmt.Errorf("chschema examples: dropping their databases: %w", err)
		}
		return nil
	})
	os.Exit(chtest.Main(m))
}
