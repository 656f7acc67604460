package parser

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"

	clickhouse "github.com/AfterShip/clickhouse-sql-parser/parser"
)

// ErrSyntax is the sentinel for a statement that does not parse.
var ErrSyntax = errors.New("parser: syntax error")

// ParseError is a statement that failed to parse, at a file position.
type ParseError struct {
	// Pos is the file position where parsing stopped.
	Pos Pos
	// Msg is the parser's one-line message, without its position.
	Msg string
	// Stmt is the statement that failed.
	Stmt Statement
	// Err is the underlying error: AfterShip's *parser.ParseError, or the
	// server's exception; ErrSyntax matches it with errors.Is.
	Err error
}

// Error formats the error as line:col: message.
func (e *ParseError) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes every ParseError match ErrSyntax.
func (e *ParseError) Is(target error) bool { return target == ErrSyntax }

// Result is one statement that parsed.
//
// When AfterShip's parser accepts the statement as written, AST is its tree
// and Gap and Workarounds are empty. When it does not, but the statement is
// valid ClickHouse that the gap layer (gaps.go) reads, either AST is
// AfterShip's tree of Text, a same-length rewrite of the statement, and
// Workarounds says what was rewritten, or Gap is a typed value for the
// whole statement.
type Result struct {
	Stmt Statement
	// AST is AfterShip's tree; its offsets are into Text, which has the
	// statement's offsets (see FilePos).
	AST clickhouse.Expr
	// Text is the text AST was parsed from: Stmt.Text with comments
	// blanked out (AfterShip knows neither '#' comments nor nested block
	// comments), and rewritten when Workarounds is not empty. It has the
	// length of Stmt.Text.
	Text string
	// Gap is the statement as a typed value, when AfterShip has no node for
	// it.
	Gap Gap
	// Workarounds are the constructs AfterShip does not accept that were
	// recognised, each at its file position; there is at least one when
	// the statement is not Native. They are worth reporting as
	// information: AfterShip did not check them.
	Workarounds []Workaround
	// Settings are an ALTER's trailing SETTINGS, which AfterShip accepts
	// only after ADD COLUMN; they are not in AST.
	Settings []Setting

	names map[string]string // placeholder → keyword column name
}

// Native reports whether AfterShip's parser accepted the statement as
// written.
func (r *Result) Native() bool { return r.Gap == nil && len(r.Workarounds) == 0 }

// FilePos returns the file position of byte off of r.Text, for example an
// AST node's Pos().
func (r *Result) FilePos(off int) Pos { return r.Stmt.PosAt(off) }

// Ident returns the column name that an identifier of AST stands for: a
// column named after an AfterShip keyword (`order`) is a same-length
// placeholder in AST.
func (r *Result) Ident(name string) string {
	if n, ok := r.names[name]; ok {
		return n
	}
	return name
}

// Parse parses one statement from Split. It returns a *ParseError, at the
// file position where AfterShip's parser stopped, when the statement is
// neither valid to AfterShip nor a form the gap layer reads.
func Parse(stmt Statement) (res *Result, err error) {
	defer recoverAfterShip(func(perr error) {
		msg := perr.Error() + " (a bug in the parser, not necessarily in the statement: check it with --dsn)"
		res, err = nil, &ParseError{Pos: stmt.Pos, Msg: msg, Stmt: stmt, Err: perr}
	})
	text := blankComments(stmt.Text)
	ast, err := parseOne(text)
	if err == nil {
		return &Result{Stmt: stmt, AST: ast, Text: text}, nil
	}
	return parseGap(stmt, text, err)
}

// ParseAll splits src (whose first byte is at start) and parses every
// statement. It returns the results of the statements that parsed and every
// error, sorted by position, as an ErrorList.
func ParseAll(src string, start Pos) ([]*Result, error) {
	stmts, splitErr := Split(src, start)
	var errs ErrorList
	var results []*Result
	for _, s := range stmts {
		r, err := Parse(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		results = append(results, r)
	}
	if splitErr != nil {
		errs = append(errs, splitErr)
	}
	return results, errs.Err()
}

// ErrorList is a list of *SyntaxError and *ParseError, sorted by position.
type ErrorList []error

// Error lists the errors, one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error { return l }

// Err returns the list, or nil when it is empty. The list is already in
// position order: ParseAll meets the statements in order.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// parseOne runs AfterShip's parser on a single statement. A panic inside it
// is turned into an error.
func parseOne(text string) (ast clickhouse.Expr, err error) {
	defer recoverAfterShip(func(perr error) { ast, err = nil, perr })
	stmts, err := clickhouse.NewParser(afterShipQuotes(text, false)).ParseStmts()
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, fmt.Errorf("expected one statement, got %d", len(stmts))
	}
	unescapeIdents(stmts[0], text)
	return stmts[0], nil
}

// ErrPanic is the sentinel for a panic inside AfterShip's parser, or in a
// method of the tree it returned, caught at one of this package's entry
// points.
var ErrPanic = errors.New("parser: AfterShip's parser panicked")

// ErrInternal is the sentinel for a panic in chschema's own reading of a
// statement, caught at one of this package's entry points. Tests assert it
// never happens; a user's run gets an error at the statement instead of a
// crash.
var ErrInternal = errors.New("parser: internal error")

// recoverAfterShip, deferred directly, turns a panic into an error wrapping
// ErrPanic (when it was raised in AfterShip's code) or ErrInternal, and
// hands it to set. Every path into AfterShip (parsing, and the methods of
// the trees it returns) runs under it: a panic is a finding about one
// statement, never the end of a run.
func recoverAfterShip(set func(error)) {
	r := recover()
	if r == nil {
		return
	}
	sentinel := ErrInternal
	if fn := panickingFunction(); strings.HasPrefix(fn, "github.com/AfterShip/") {
		sentinel = ErrPanic
	}
	set(fmt.Errorf("%w: %v", sentinel, r))
}

// panickingFunction names the function that raised the panic being
// recovered: the first frame below runtime.gopanic that is not the
// runtime's own.
func panickingFunction() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	seenPanic := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			seenPanic = true
		case seenPanic && !strings.HasPrefix(f.Function, "runtime."):
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

var linePrefixRE = regexp.MustCompile(`^line \d+:\d+ `)

// newParseError turns AfterShip's error for text (which starts at byte base
// of stmt.Text) into a *ParseError at a file position.
func newParseError(stmt Statement, base int, err error) *ParseError {
	off := 0
	msg := err.Error()
	var pe *clickhouse.ParseError
	if errors.As(err, &pe) {
		off = int(pe.Pos)
		msg, _, _ = strings.Cut(pe.Error(), "\n")
		msg = linePrefixRE.ReplaceAllString(msg, "")
	}
	return &ParseError{Pos: stmt.PosAt(base + off), Msg: msg, Stmt: stmt, Err: err}
}

// blankComments replaces the bytes of every comment with spaces, keeping
// newlines, so that offsets do not move.
func blankComments(text string) string {
	lx := NewLexer(text)
	var b []byte
	for {
		tok, err := lx.Next()
		if err != nil || tok.Kind == TokenEOF {
			break
		}
		if tok.Kind == TokenLineComment || tok.Kind == TokenBlockComment {
			if b == nil {
				b = []byte(text)
			}
			for i := tok.Off; i < tok.End; i++ {
				if b[i] != '\n' && b[i] != '\r' {
					b[i] = ' '
				}
			}
		}
	}
	if b == nil {
		return text
	}
	return string(b)
}
