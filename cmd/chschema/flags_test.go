package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

// newParser builds the CLI's kong parser without running anything.
func newParser(t *testing.T, cli *CLI) *kong.Kong {
	t.Helper()
	var out bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &out}
	p, err := kong.New(cli, kong.Name("chschema"), kong.Writers(&out, &out),
		kong.Exit(func(int) { t.Fatalf("kong exited: %s", out.String()) }),
		kong.Bind(&Globals{}, env), kong.BindTo(context.Background(), (*context.Context)(nil)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// commands are the CLI's commands, from its kong model.
func commands(t *testing.T) []*kong.Node {
	t.Helper()
	var cli CLI
	return newParser(t, &cli).Model.Children
}

// flagsOf are a command's flags, without kong's --help.
func flagsOf(n *kong.Node) []*kong.Flag {
	var out []*kong.Flag
	for _, group := range n.AllFlags(true) {
		for _, f := range group {
			if f.Name != "help" {
				out = append(out, f)
			}
		}
	}
	return out
}

// sampleValue is a valid value for a flag or positional argument of the
// given kind, unlike its default.
func sampleValue(t *testing.T, v *kong.Value) string {
	t.Helper()
	if v.Enum != "" {
		enum := v.EnumSlice()
		return enum[len(enum)-1]
	}
	if v.Tag.Type == "existingfile" {
		f := filepath.Join(t.TempDir(), "file.json")
		if err := os.WriteFile(f, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	typ := v.Target.Type()
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch {
	case typ == reflect.TypeFor[time.Duration]():
		return "7s"
	case typ.Kind() == reflect.Bool:
		return "true"
	case typ.Kind() == reflect.Slice:
		return "a.b,c.d"
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		return "3"
	}
	return "xyz"
}

// parseCommand parses args for the command named cmd and returns the
// command's struct, as parsed.
func parseCommand(t *testing.T, cmd string, args []string) any {
	t.Helper()
	var cli CLI
	p := newParser(t, &cli)
	kctx, err := p.Parse(append([]string{cmd}, args...))
	if err != nil {
		t.Fatalf("%s %v: %v", cmd, args, err)
	}
	return kctx.Selected().Target.Interface()
}

// TestEveryFlagHasAnEnvVar walks kong's model of every command: each flag
// must have a CHSCHEMA_* variable (--var has its family,
// CHSCHEMA_VAR_<NAME>), a variable must mean the same flag wherever it is
// used, and setting the variable must parse exactly as giving the flag.
func TestEveryFlagHasAnEnvVar(t *testing.T) {
	owner := map[string]string{} // env var -> flag name
	for _, cmd := range commands(t) {
		for _, f := range flagsOf(cmd) {
			if prefix := f.Tag.Get("envprefix"); prefix != "" {
				if !strings.HasPrefix(prefix, "CHSCHEMA_") {
					t.Errorf("%s --%s: variable family %s is not CHSCHEMA_*", cmd.Name, f.Name, prefix)
				}
				continue
			}
			if len(f.Envs) == 0 {
				t.Errorf("%s --%s has no environment variable", cmd.Name, f.Name)
				continue
			}
			for _, e := range f.Envs {
				if !strings.HasPrefix(e, "CHSCHEMA_") {
					t.Errorf("%s --%s: variable %s is not CHSCHEMA_*", cmd.Name, f.Name, e)
				}
				if prev, ok := owner[e]; ok && prev != f.Name {
					t.Errorf("%s is the variable of --%s and of --%s (%s)", e, prev, f.Name, cmd.Name)
				}
				owner[e] = f.Name
			}
		}
	}
	if len(owner) < 20 {
		t.Fatalf("only %d variables found: the walk is broken", len(owner))
	}

	// The variable works: it parses like the flag.
	for _, cmd := range commands(t) {
		var positional []string
		for _, p := range cmd.Positional {
			positional = append(positional, sampleValue(t, p))
		}
		for _, f := range flagsOf(cmd) {
			if len(f.Envs) == 0 {
				continue
			}
			var base []string
			for _, other := range flagsOf(cmd) {
				if other.Required && other != f {
					base = append(base, "--"+other.Name, sampleValue(t, other.Value))
				}
			}
			value := sampleValue(t, f.Value)
			t.Run(cmd.Name+"/"+f.Name, func(t *testing.T) {
				byFlag := parseCommand(t, cmd.Name, append(append(slices.Clone(positional), base...), "--"+f.Name+"="+value))
				if !f.Required {
					without := parseCommand(t, cmd.Name, append(slices.Clone(positional), base...))
					if reflect.DeepEqual(byFlag, without) {
						t.Fatalf("--%s=%s changes nothing: the sample value is the default", f.Name, value)
					}
				}
				t.Setenv(f.Envs[0], value)
				byEnv := parseCommand(t, cmd.Name, append(slices.Clone(positional), base...))
				if !reflect.DeepEqual(byFlag, byEnv) {
					t.Errorf("%s=%s parses as %+v, --%s=%s as %+v", f.Envs[0], value, byEnv, f.Name, value, byFlag)
				}
			})
		}
	}
}

// TestCommandsShowOnlyTheirFlags: a command that never talks to a server
// has no --dsn or --wait, one that reads no migrations has no --dir or
// --var, and every command has --format (TestJSONEveryCommand checks that
// it holds).
func TestCommandsShowOnlyTheirFlags(t *testing.T) {
	offline := []string{"new", "schema", "sql", "plan", "check"}
	noMigrations := []string{"version", "unlock"}
	noVars := []string{"new", "version", "unlock"}
	for _, cmd := range commands(t) {
		has := map[string]bool{}
		for _, f := range flagsOf(cmd) {
			has[f.Name] = true
		}
		if slices.Contains(offline, cmd.Name) && (has["dsn"] || has["wait"] || has["history-table"]) {
			t.Errorf("%s works offline but shows server flags: %v", cmd.Name, has)
		}
		if slices.Contains(noMigrations, cmd.Name) && has["dir"] {
			t.Errorf("%s reads no migrations but shows --dir", cmd.Name)
		}
		if slices.Contains(noVars, cmd.Name) && has["var"] {
			t.Errorf("%s renders no migrations but shows --var", cmd.Name)
		}
		if !has["format"] {
			t.Errorf("%s has no --format", cmd.Name)
		}
	}
	// --format github is accepted where findings are annotations, and
	// refused elsewhere with a usage error.
	annotations := []string{"lint", "hash", "diff", "check"}
	for _, cmd := range commands(t) {
		for _, f := range flagsOf(cmd) {
			if f.Name == "format" && f.EnumMap()["github"] != slices.Contains(annotations, cmd.Name) {
				t.Errorf("%s --format takes %s", cmd.Name, f.Enum)
			}
		}
	}
	if code, _, errOut := runCLI(t, "migrate", "--format", "github"); code != exitError || !strings.Contains(errOut, `--format must be one of "text","json"`) {
		t.Errorf("migrate --format github: exit %d, %s", code, errOut)
	}
	// Through the binary's --help too.
	code, out, _ := runCLI(t, "new", "--help")
	if code != exitOK || strings.Contains(out, "--dsn") || !strings.Contains(out, "--dir") {
		t.Errorf("new --help: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "new", "svc", "x", "--dsn", "clickhouse://x"); code != exitError || !strings.Contains(errOut, "unknown flag --dsn") {
		t.Errorf("new --dsn: exit %d, %s", code, errOut)
	}
}
