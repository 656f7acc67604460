package english

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "migration", "0 migrations"},
		{1, "migration", "1 migration"},
		{2, "migration", "2 migrations"},
		{1, "change", "1 change"},
		{3, "place", "3 places"},
		{2, "index", "2 indexes"},
		{2, "dictionary", "2 dictionaries"},
		{2, "day", "2 days"},
		{1, "completed statement", "1 completed statement"},
		{4, "completed statement", "4 completed statements"},
	} {
		if got := Plural(tt.n, tt.noun); got != tt.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

// handWritten matches a format string that counts with a fixed plural:
// "%d migrations", "%d statement(s)".
var handWritten = regexp.MustCompile(`%d [a-z]+(s|\(s\))\b|%d [^%"]*[a-z]\(s\)`)

// notPlurals end in s without being plural nouns.
var notPlurals = map[string]bool{"is": true, "was": true, "has": true, "as": true, "its": true, "this": true, "does": true, "plus": true, "yes": true}

// TestNoHandWrittenPlurals reads every Go source file of the module
// (tests aside) and fails on a string literal that counts with a
// hand-written plural: such a message says "1 migrations" sooner or later.
// Count with Plural instead. A literal whose number is never 1 says why
// on its line, in a comment holding "plural-ok".
func TestNoHandWrittenPlurals(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return err
		}
		checked++
		lines := strings.Split(string(src), "\n")
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			found := ""
			for _, m := range handWritten.FindAllString(s, -1) {
				if !notPlurals[strings.TrimPrefix(m, "%d ")] {
					found = m
				}
			}
			if found == "" {
				return true
			}
			pos := fset.Position(lit.Pos())
			if strings.Contains(lines[pos.Line-1], "plural-ok") {
				return true
			}
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s:%d: %q counts with a hand-written plural; use english.Plural", rel, pos.Line, found)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked: the walk is broken", checked)
	}
}
