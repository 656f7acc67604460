package parser

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// TestGapsAreValidClickHouse proves that every construct the recognisers
// accept is valid ClickHouse: the server's parser accepts it.
func TestGapsAreValidClickHouse(t *testing.T) {
	db := chtest.New(t)
	sp, err := NewServerParser(db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range gapCases {
		t.Run(tt.name, func(t *testing.T) {
			if err := sp.Check(context.Background(), Statement{Text: tt.sql, Pos: FileStart}); err != nil {
				t.Errorf("server rejects %q: %v", tt.sql, err)
			}
		})
	}
}

func TestServerParserRejects(t *testing.T) {
	db := chtest.New(t)
	sp, err := NewServerParser(db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	stmt := Statement{Text: "CREATE TABLE t\n(x Int32 ENGIN = Log)", Pos: Pos{Offset: 10, Line: 3, Col: 1}}
	err = sp.Check(context.Background(), stmt)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ParseError", err)
	}
	// The server stops at "ENGIN"'s '=' or at ENGIN: either way on line 4.
	if pe.Pos.Line != 4 || !strings.Contains(pe.Msg, "Syntax error") {
		t.Errorf("err = %v, want line 4 and the server's message", err)
	}
	// The statements TestParseErrors rejects offline are invalid to the
	// server too.
	for _, bad := range []string{"CREAT TABLE t (x Int32)", "CREATE TABLE t (x Int32\nENGINE = MergeTree ORDER BY x",
		"ALTER TABLE t COMMENT COLUMN x 'a', DORP COLUMN y", "SELECT (5 MOD 2", "EXCHANGE TABLES a b", "DROP FUNCTION",
		// formatQuery, the fallback, reads these as an implicit SELECT of
		// a bare word: not a statement of their kind.
		"BEGIN", "KILL"} {
		if err := sp.Check(context.Background(), Statement{Text: bad, Pos: FileStart}); !errors.Is(err, ErrSyntax) {
			t.Errorf("server check of %q = %v, want a syntax error", bad, err)
		}
	}
	// EXPLAIN AST cannot wrap an INSERT with inline data after another
	// EXPLAIN; formatQuery reads it: accepted.
	if err := sp.Check(context.Background(), Statement{Text: "EXPLAIN AST INSERT INTO t VALUES (1, 'a')", Pos: FileStart}); err != nil {
		t.Errorf("EXPLAIN AST INSERT … VALUES: %v", err)
	}
	if _, err := NewServerParser(nil); err == nil {
		t.Error("NewServerParser(nil) succeeded")
	}
}
