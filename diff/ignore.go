package diff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/schema"
)

// ErrPattern wraps every invalid ignore pattern.
var ErrPattern = errors.New("diff: invalid ignore pattern")

// Ignore is a validated set of ignore patterns. A pattern with a dot,
// db.table, matches objects: each side is a glob in path.Match syntax, so
// db.* matches every object of db and *.tmp_* every tmp_ object. A pattern
// without a dot matches SQL function names. Objects an Ignore matches are
// left out of a diff on both sides, for example materialized views that dbt
// manages.
type Ignore struct {
	objects   []string
	functions []string
}

// PatternError is an invalid pattern, with where it came from.
type PatternError struct {
	// Pos is the pattern's place in an ignore file; zero for flags and the
	// environment.
	Pos     schema.Position
	Pattern string
	Err     error
}

// Error implements error.
func (e *PatternError) Error() string {
	where := ""
	if e.Pos.File != "" {
		where = e.Pos.String() + ": "
	}
	return fmt.Sprintf("%s%s %q: %v", where, ErrPattern, e.Pattern, e.Err)
}

// Unwrap returns ErrPattern and the cause.
func (e *PatternError) Unwrap() []error { return []error{ErrPattern, e.Err} }

// PatternErrors are all the invalid patterns of one call, sorted by
// position.
type PatternErrors []*PatternError

// Error implements error: one line per invalid pattern.
func (es PatternErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual errors.
func (es PatternErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Pattern is one ignore pattern and where it came from.
type Pattern struct {
	Text string
	// Pos is set for patterns read from a file.
	Pos schema.Position
}

// NewIgnore validates patterns and returns the set. It reports every invalid
// pattern, not only the first.
func NewIgnore(patterns ...Pattern) (*Ignore, error) {
	ig := &Ignore{}
	var errs PatternErrors
	for _, p := range patterns {
		text := strings.TrimSpace(p.Text)
		if err := validatePattern(text); err != nil {
			errs = append(errs, &PatternError{Pos: p.Pos, Pattern: p.Text, Err: err})
			continue
		}
		if strings.Contains(text, ".") {
			ig.objects = append(ig.objects, text)
		} else {
			ig.functions = append(ig.functions, text)
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			a, b := errs[i].Pos, errs[j].Pos
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
		return nil, errs
	}
	return ig, nil
}

func validatePattern(p string) error {
	if p == "" {
		return errors.New("empty pattern")
	}
	if _, err := path.Match(p, ""); err != nil {
		return err
	}
	if db, _, ok := strings.Cut(p, "."); ok && db == "" {
		return errors.New("want db.table or db.*, the database part is empty")
	}
	return nil
}

// Match reports whether n is an ignored object. A database-wide pattern
// (db.*) also matches the name db.* itself, which the diff uses for the
// database.
func (ig *Ignore) Match(n schema.QualifiedName) bool {
	if ig == nil {
		return false
	}
	full := n.Database + "." + n.Name
	for _, p := range ig.objects {
		if ok, _ := path.Match(p, full); ok {
			return true
		}
	}
	return false
}

// MatchFunction reports whether the SQL function name is ignored.
func (ig *Ignore) MatchFunction(name string) bool {
	if ig == nil {
		return false
	}
	for _, p := range ig.functions {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// SplitPatterns splits a comma- or space-separated list of patterns, as
// given in a flag or an environment variable.
func SplitPatterns(s string) []Pattern {
	var out []Pattern
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		out = append(out, Pattern{Text: f})
	}
	return out
}

// ReadIgnoreFile reads the patterns of an ignore file in fsys: one pattern
// per line; blank lines and lines starting with # are skipped, and so is
// anything after " #". A file that does not exist holds no patterns; a path
// that is not a regular file (a FIFO, a device) is an error, never read.
func ReadIgnoreFile(fsys fs.FS, name string) ([]Pattern, error) {
	if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	data, err := migrations.ReadFile(fsys, name, migrations.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("diff: ignore file: %w", err)
	}
	var out []Pattern
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if i := strings.Index(text, " #"); i >= 0 {
			text = text[:i]
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		col := strings.Index(text, trimmed) + 1
		out = append(out, Pattern{Text: trimmed, Pos: schema.Position{File: name, Line: line, Col: col}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("diff: ignore file %s: %w", name, err)
	}
	return out, nil
}
