package main

import (
	"bytes"
	"context"
	"testing"
)

// TestMain is in schema_cmd_test.go (both branches defined one).

// runCLI runs chschema in-process with args and returns the exit code and
// what it wrote to stdout and stderr.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errOut}
	code = run(args, env)
	return code, out.String(), errOut.String()
}
