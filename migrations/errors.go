package migrations

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a file. Offset is 0-based in bytes; Line and Col are
// 1-based, and Col counts bytes, as go/token does. A zero Line means the
// error is about the file as a whole.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// String formats the position as line:col.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Advance returns the position reached after reading text starting at p.
func (p Pos) Advance(text string) Pos {
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	p.Offset += len(text)
	return p
}

// FileStart is the position of a file's first byte.
var FileStart = Pos{Line: 1, Col: 1}

// Sentinel errors. Every *Error wraps exactly one of them, so that callers
// (the lint command) can tell the problems apart with errors.Is.
var (
	ErrRead           = errors.New("migrations: cannot read")
	ErrNotText        = errors.New("migrations: not UTF-8 text")
	ErrTooLarge       = errors.New("migrations: file too large")
	ErrFileName       = errors.New("migrations: malformed file name")
	ErrServiceName    = errors.New("migrations: malformed service name")
	ErrUnexpectedDir  = errors.New("migrations: unexpected directory")
	ErrDuplicateID    = errors.New("migrations: duplicate ID")
	ErrGap            = errors.New("migrations: gap in IDs")
	ErrMissingUp      = errors.New("migrations: missing up section")
	ErrMissingDown    = errors.New("migrations: missing down section")
	ErrMarker         = errors.New("migrations: misplaced section marker")
	ErrOutsideSection = errors.New("migrations: text outside a section")
	ErrUndefinedVar   = errors.New("migrations: undefined template variable")
	ErrBadTemplate    = errors.New("migrations: malformed template variable")
	// ErrUnsafeValue is a template variable whose value would change how a
	// section splits into statements, or where a string, quoted
	// identifier, heredoc or comment of it ends (the parser checks it).
	ErrUnsafeValue    = errors.New("migrations: template variable value changes the SQL's structure")
	ErrSumSyntax      = errors.New("migrations: malformed sum file")
	ErrSumHeader      = errors.New("migrations: sum file checksum mismatch")
	ErrSealedEdited   = errors.New("migrations: sealed migration edited")
	ErrSealedRemoved  = errors.New("migrations: sealed migration removed")
	ErrSealedRenamed  = errors.New("migrations: sealed migration renamed")
	ErrSealedMoved    = errors.New("migrations: sealed migration reordered")
	ErrInsertedBefore = errors.New("migrations: new migration before the last sealed one")
	ErrUnknownService = errors.New("migrations: unknown service")
	ErrExists         = errors.New("migrations: already exists")
)

// Error is a problem in a file of the migrations directory, at a position.
type Error struct {
	// File is the path in the directory's fs.FS, for example
	// "xapi/0001_init.sql".
	File string
	// Pos is where in File; Line is 0 when the problem is the whole file.
	Pos Pos
	// Err is one of the package's sentinels.
	Err error
	// Msg says what is wrong and what was expected.
	Msg string
}

// Error formats the error as file:line:col: message.
func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem of a run, sorted by file and position.
type ErrorList []*Error

// Error lists the errors, one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Sort orders the list by file, line, column and message.
func (l ErrorList) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col), cmp.Compare(a.Msg, b.Msg))
	})
}

// Err returns the sorted list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

func (l *ErrorList) add(file string, pos Pos, sentinel error, format string, args ...any) {
	*l = append(*l, &Error{File: file, Pos: pos, Err: sentinel, Msg: fmt.Sprintf(format, args...)})
}
