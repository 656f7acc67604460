package lint

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// TestLintWithServer shows what --dsn changes: statements AfterShip rejects
// are judged by the server's parser, for better and for worse.
func TestLintWithServer(t *testing.T) {
	db := chtest.New(t)
	sp, err := parser.NewServerParser(db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	fsys := mapFS(map[string]string{
		"0001_a.sql": "-- +up\n" +
			"SELECT 1 OFFSET 0 ROWS;\n" + // valid, rejected by AfterShip, not a recognised gap (yet: knownOperatorGaps)
			"CREATE TABLE a (x Int8) ENGINE = Log;\nCREATE TABLE b (x Int8) ENGINE = Log;\n" +
			"EXCHANGE TABLES a AND b;\n" + // a recognised gap
			"CREATE TABLE t (x Int8) ENGINE = Log;\n" + // native
			"-- +down\n" +
			"CREAT TABLE t (x Int8);\n", // invalid
	})

	offline, err := Lint(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(errorsOf(offline), ","); got != "syntax 0001_a.sql:2:19,syntax 0001_a.sql:8:1" {
		t.Errorf("offline errors = %s", got)
	}

	online, err := Lint(context.Background(), fsys, Options{Server: sp})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(errorsOf(online), ","); got != "syntax 0001_a.sql:8:7" {
		t.Errorf("errors with a server = %s", got)
	}
	var infos []string
	for _, f := range online.Findings {
		if f.Severity == Info {
			infos = append(infos, f.Message)
		}
	}
	if len(infos) != 2 || !strings.Contains(infos[0], "the server's parser accepts it") || !strings.Contains(infos[1], "EXCHANGE TABLES") {
		t.Errorf("infos = %q", infos)
	}
	for _, f := range online.Findings {
		if f.Rule == RuleSyntax && !strings.Contains(f.Message, "Syntax error") {
			t.Errorf("syntax finding should carry the server's message: %q", f.Message)
		}
	}
}
