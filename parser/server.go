package parser

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ServerParser checks statements with a ClickHouse server's own parser,
// through EXPLAIN AST, which parses a statement without running it.
type ServerParser struct {
	conn driver.Conn
}

// NewServerParser returns a ServerParser on conn, which must not be nil.
func NewServerParser(conn driver.Conn) (*ServerParser, error) {
	if conn == nil {
		return nil, errors.New("parser: NewServerParser: nil connection")
	}
	return &ServerParser{conn: conn}, nil
}

const explainPrefix = "EXPLAIN AST "

// syntaxErrorRE finds the 1-based position in a ClickHouse SYNTAX_ERROR.
var syntaxErrorRE = regexp.MustCompile(`failed at position (\d+)`)

// Check parses text (a statement after template substitution) on the server.
// It returns nil when the server accepts it, a *ParseError at the file
// position the server names when the server rejects its syntax, and any
// other error (connection, server) as it is.
func (s *ServerParser) Check(ctx context.Context, stmt Statement) error {
	rows, err := s.conn.Query(ctx, explainPrefix+stmt.Text)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if err == nil {
		return nil
	}
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 62 { // 62 is SYNTAX_ERROR
		return fmt.Errorf("server parser: %w", err)
	}
	if s.formats(ctx, stmt.Text) {
		return nil
	}
	off := 0
	if m := syntaxErrorRE.FindStringSubmatch(ex.Message); m != nil {
		if p, err := strconv.Atoi(m[1]); err == nil {
			off = max(p-1-len(explainPrefix), 0)
		}
	}
	return &ParseError{Pos: stmt.PosAt(off), Msg: "server: " + ex.Message, Stmt: stmt, Err: err}
}

// formats reports whether the server's formatQuery reads text as the same
// kind of statement: EXPLAIN AST cannot wrap every statement (EXPLAIN AST
// INSERT … VALUES (…), found by lint.TestStatementInventory), and
// formatQuery parses it whole. A result that starts with another word is
// the server reading the text as an implicit SELECT, not an acceptance.
func (s *ServerParser) formats(ctx context.Context, text string) bool {
	var out string
	ctx = clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"chschema_q": text}))
	if err := s.conn.QueryRow(ctx, "SELECT formatQuery({chschema_q:String})").Scan(&out); err != nil {
		return false
	}
	first := func(sql string) string {
		toks := scanSQL(blankComments(sql))
		if len(toks) == 0 {
			return ""
		}
		return toks[0].upper()
	}
	return first(out) == first(text)
}
