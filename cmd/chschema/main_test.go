package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

func TestMain(m *testing.M) {
	code := chtest.Main(m)
	removeBuiltBinary()
	os.Exit(code)
}

// runCLI runs chschema in-process with args and returns the exit code and
// what it wrote to stdout and stderr.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errOut}
	code = run(args, env)
	return code, out.String(), errOut.String()
}
