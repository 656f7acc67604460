package parser

import (
	"context"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// serverSystemCommands asks the server which SYSTEM commands its parser
// knows: they are the "Expected one of" list of the syntax error on an
// unknown one.
func serverSystemCommands(t *testing.T, db *chtest.DB) []string {
	t.Helper()
	err := db.Conn.Exec(context.Background(), "EXPLAIN AST SYSTEM no_such_command_here")
	m := regexp.MustCompile(`Expected one of: (.*), end of query`).FindStringSubmatch(fmt.Sprint(err))
	if m == nil {
		t.Fatalf("the server does not list its SYSTEM commands: %v", err)
	}
	var out []string
	for _, w := range strings.Split(m[1], ", ") {
		// Parser alternatives that are no command words.
		if w == "UNKNOWN" || w == "END" || strings.ToUpper(w) != w {
			continue
		}
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// TestSystemCommandsFromServer checks that systemCommands is the server's
// list (CHSCHEMA_GENERATE=1 rewrites system_gen.go), and that lint's parser
// reads every SYSTEM statement form the server's parser accepts — bare,
// on a table, with ON CLUSTER — and refuses an unknown command (issue 11
// F12: SYSTEM STOP TTL MERGES t was a lint error).
func TestSystemCommandsFromServer(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	cmds := serverSystemCommands(t, db)
	if os.Getenv("CHSCHEMA_GENERATE") == "1" {
		var b strings.Builder
		b.WriteString("// Code generated from the server's parser; DO NOT EDIT.\n// EXPLAIN AST SYSTEM no_such_command_here: its \"Expected one of\" list\n// Regenerate: CHSCHEMA_GENERATE=1 go test ./parser -run TestSystemCommandsFromServer\n\npackage parser\n\n")
		b.WriteString("// systemCommands are the commands of a SYSTEM statement, as words.\nvar systemCommands = map[string]bool{\n")
		for _, c := range cmds {
			fmt.Fprintf(&b, "\t%q: true,\n", c)
		}
		b.WriteString("}\n")
		src, err := format.Source([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("system_gen.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		var missing []string
		for _, c := range cmds {
			if !systemCommands[c] {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 || len(cmds) != len(systemCommands) {
			t.Errorf("system_gen.go differs from the server (%d commands, %d here; missing %v); regenerate with CHSCHEMA_GENERATE=1", len(cmds), len(systemCommands), head(missing))
		}
	}
	accepted := 0
	for _, c := range cmds {
		for _, form := range []string{"SYSTEM " + c, "SYSTEM " + c + " db.t", "SYSTEM " + c + " t", "SYSTEM " + strings.ToLower(c) + " ON CLUSTER c t"} {
			if err := db.Conn.Exec(ctx, "EXPLAIN AST "+form); err != nil {
				continue // not a form of this command
			}
			accepted++
			r, err := Parse(Statement{Text: form, Pos: FileStart})
			if err != nil {
				t.Errorf("%s: the server's parser accepts it, lint's does not: %v", form, err)
				continue
			}
			if g, ok := r.Gap.(*System); ok && g.Command != c {
				t.Errorf("%s: read as %#v", form, r.Gap)
			}
		}
	}
	if accepted < len(cmds) {
		t.Errorf("only %d forms of %d commands accepted by the server", accepted, len(cmds))
	}
	for _, bad := range []string{"SYSTEM STOPP MERGES t", "SYSTEM", "SYSTEM MERGES t"} {
		if _, err := Parse(Statement{Text: bad, Pos: FileStart}); err == nil {
			t.Errorf("%s: lint's parser accepts it", bad)
		}
	}
}
