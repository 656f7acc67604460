package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/chschema/chschema/migrations"
)

// TestSplitSectionValues: a value never changes how a section splits into
// statements or where a string, quoted identifier, heredoc or comment of
// the SQL as written ends; one that would is an error at its ${NAME}.
func TestSplitSectionValues(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		value string
		stmts []string // the statements, when the value is accepted
		err   string   // the error, "line:col: …" fragment, when refused
	}{
		// Accepted: values in open code, strings, comments.
		{"database name", "CREATE TABLE ${V}.t (x UInt8) ENGINE = Memory;", "xapi",
			[]string{"CREATE TABLE xapi.t (x UInt8) ENGINE = Memory"}, ""},
		{"a clause with its own string", "CREATE TABLE t ${V} (x UInt8) ENGINE = Memory;", "ON CLUSTER '{cluster}'",
			[]string{"CREATE TABLE t ON CLUSTER '{cluster}' (x UInt8) ENGINE = Memory"}, ""},
		{"empty", "CREATE TABLE t ${V} (x UInt8) ENGINE = Memory;", "",
			[]string{"CREATE TABLE t  (x UInt8) ENGINE = Memory"}, ""},
		{"glued to a word", "SELECT * FROM events_${V};", "2024", []string{"SELECT * FROM events_2024"}, ""},
		{"';' inside a string", "SELECT '${V}';", "a;b", []string{"SELECT 'a;b'"}, ""},
		{"a doubled quote inside a string", "SELECT '${V}';", "it''s", []string{"SELECT 'it''s'"}, ""},
		{"an escape inside a string", "SELECT 'a${V}b';", `\`, []string{`SELECT 'a\b'`}, ""},
		{"a doubled backquote", "SELECT 1 FROM `${V}`.t;", "a``b", []string{"SELECT 1 FROM `a``b`.t"}, ""},
		{"a complete comment in code", "SELECT 1 ${V}, 2;", "/* c */", []string{"SELECT 1 /* c */, 2"}, ""},
		{"a line comment ended in the value", "SELECT 1 ${V}, 2;", "-- c\n", []string{"SELECT 1 -- c\n, 2"}, ""},
		{"a complete heredoc", "SELECT ${V};", "$$a$$", []string{"SELECT $$a$$"}, ""},
		{"a newline in code", "SELECT ${V};", "1\n+ 2", []string{"SELECT 1\n+ 2"}, ""},
		{"a literal ${", "SELECT '$${V}', ${V};", "1", []string{"SELECT '${V}', 1"}, ""},

		// Refused.
		{"the issue's injection", "INSERT INTO inj.t VALUES ('${V}');\nSELECT 2;", "x'); DROP TABLE inj.victim; SELECT ('",
			nil, "1:28: the value of ${V} cannot be spliced in here: it would change where the string at 1:27 ends"},
		{"';' in code", "SELECT ${V};", "1; DROP TABLE inj.victim",
			nil, "1:8: the value of ${V} cannot be spliced in here: it holds a ';', which would end the statement there"},
		{"a quote in a string", "SELECT '${V}';", "it's", nil, "1:9: the value of ${V} cannot be spliced in here: it would change where the string at 1:8 ends"},
		{"a backslash before the closing quote", "SELECT '${V}';", `a\`, nil, "1:9: the value of ${V}"},
		{"a line comment in code", "SELECT 1 ${V}, 2;", "--", nil, "1:10: the value of ${V} cannot be spliced in here: it starts a line comment that does not end within the value"},
		{"a '#' comment in code", "SELECT 1 ${V}, 2;", "#", nil, "1:10: the value of ${V} cannot be spliced in here: it starts a line comment"},
		{"an open block comment", "SELECT 1 ${V}, 2; SELECT '*/';", "/*", nil, "1:10: the value of ${V} cannot be spliced in here: it starts a block comment that does not end within the value"},
		{"an unterminated block comment", "SELECT 1 ${V}, 2; SELECT 3 /* */;", "/*", nil, "1:10: the value of ${V} cannot be spliced in here: it starts an unterminated block comment"},
		{"a backquote", "SELECT 1 FROM `${V}`.t;", "a`; DROP TABLE x; --", nil, "1:16: the value of ${V} cannot be spliced in here: it would change where the quoted identifier at 1:15 ends"},
		{"a backquote in code", "SELECT 1 FROM ${V}.t;", "`a", nil, "1:15: the value of ${V} cannot be spliced in here: it starts an unterminated quoted identifier"},
		{"an open heredoc", "SELECT ${V};", "$$", nil, "1:8: the value of ${V} cannot be spliced in here: it starts an unterminated heredoc $$"},
		{"a heredoc tag inside a heredoc", "SELECT $$ ${V} $$;", "$$; DROP TABLE x; SELECT $$", nil, "1:11: the value of ${V} cannot be spliced in here: it would change where the heredoc at 1:8 ends"},
		{"a newline in a line comment", "-- note: ${V}\nSELECT 1;", "a\nDROP TABLE x", nil, "1:10: the value of ${V} cannot be spliced in here: it would change where the line comment at 1:1 ends"},
		{"a '-' after a '-'", "SELECT -${V};", "-1", nil, "1:9: the value of ${V} cannot be spliced in here: it would start a line comment"},
		{"a '*' after a '/'", "SELECT 4 /${V};", "*2*/", nil, "1:11: the value of ${V} cannot be spliced in here: it would start a block comment"},
		{"a string glued to a string", "SELECT 'a'${V};", "'b'", nil, "1:11: the value of ${V} cannot be spliced in here: it would change where the string at 1:8 ends"},
		{"a quote closing an open string", "SELECT 'a${V}", "'", nil, "1:8: unterminated string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := &migrations.Section{File: "s/0001_a.sql", Text: tt.sql, Start: migrations.FileStart}
			r, stmts, err := SplitSection(sec, map[string]string{"V": tt.value})
			if tt.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				var got []string
				for _, st := range stmts {
					got = append(got, st.Text)
				}
				if strings.Join(got, "\n;\n") != strings.Join(tt.stmts, "\n;\n") {
					t.Errorf("statements = %q, want %q", got, tt.stmts)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %q", r.Text)
			}
			msg := err.Error()
			var se *SyntaxError
			if errors.As(err, &se) {
				msg = r.FilePos(se.Pos.Offset).String() + ": " + se.Msg
			} else if !errors.Is(err, migrations.ErrUnsafeValue) {
				t.Errorf("err = %v, want ErrUnsafeValue", err)
			}
			if !strings.Contains(msg, tt.err) {
				t.Errorf("err = %q, want %q", msg, tt.err)
			}
		})
	}
}

// TestSplitSectionTwoValues: values that are harmless alone but not side by
// side are refused, naming the first.
func TestSplitSectionTwoValues(t *testing.T) {
	sec := &migrations.Section{File: "f.sql", Text: "SELECT 1 ${A}${B} 2;\nSELECT 3;", Start: migrations.FileStart}
	_, _, err := SplitSection(sec, map[string]string{"A": "-", "B": "-"})
	if !errors.Is(err, migrations.ErrUnsafeValue) || !strings.Contains(err.Error(), "f.sql:1:10: the value of ${A}") {
		t.Errorf("err = %v", err)
	}
	_, stmts, err := SplitSection(sec, map[string]string{"A": "-", "B": "1"})
	if err != nil || len(stmts) != 2 || stmts[0].Text != "SELECT 1 -1 2" {
		t.Errorf("stmts = %v, err = %v", stmts, err)
	}
}

// TestSplitSectionUndefined: an undefined variable is reported as before,
// and nothing is split.
func TestSplitSectionUndefined(t *testing.T) {
	sec := &migrations.Section{File: "f.sql", Text: "SELECT ${NOPE};", Start: migrations.FileStart}
	_, stmts, err := SplitSection(sec, nil)
	if !errors.Is(err, migrations.ErrUndefinedVar) || stmts != nil {
		t.Errorf("stmts = %v, err = %v", stmts, err)
	}
}

// FuzzSplitSection: SplitSection never panics, and when it accepts a value
// each statement lies, in the file as written, within the matching statement
// of the text with a neutral value: a value never adds, removes or moves a
// statement boundary.
func FuzzSplitSection(f *testing.F) {
	f.Add("SELECT '${V}'; SELECT ${V};", "a'b")
	f.Add("SELECT 1 ${V} 2; -- ${V}\nSELECT $$ ${V} $$;", "--")
	f.Add("SELECT `${V}`; /* ${V} */ SELECT 1", "x`; y")
	f.Add("SELECT ${V}", "1;2")
	f.Fuzz(func(t *testing.T, sql, value string) {
		sec := &migrations.Section{File: "f.sql", Text: sql, Start: migrations.FileStart}
		r, stmts, err := SplitSection(sec, map[string]string{"V": value})
		if err != nil {
			return
		}
		nr, neutral, nerr := SplitSection(sec, map[string]string{"V": "x"})
		if nerr != nil {
			t.Fatalf("accepted %q but not the neutral value: %v", value, nerr)
		}
		span := func(r *migrations.Rendered, st Statement) [2]int {
			return [2]int{r.FilePos(st.Pos.Offset).Offset, r.FilePos(st.Pos.Offset + len(st.Text) - 1).Offset}
		}
		blanked := []byte(nr.Text)
		for _, sub := range nr.Substitutions() {
			blanked[sub.Out] = ' '
		}
		var want [][2]int
		for _, st := range neutral {
			if onlyTrivia(value) && onlyTrivia(string(blanked[st.Pos.Offset:st.Pos.Offset+len(st.Text)])) {
				continue // a statement that is only variables, blank or comments
			}
			want = append(want, span(nr, st))
		}
		if len(stmts) != len(want) {
			t.Fatalf("value %q: %d statements, %d with a neutral value\n%q", value, len(stmts), len(want), r.Text)
		}
		for i, st := range stmts {
			got := span(r, st)
			if got[0] < want[i][0] || got[1] > want[i][1] {
				t.Errorf("value %q: statement %d spans %v of the file, with a neutral value %v\n%q", value, i, got, want[i], r.Text)
			}
		}
	})
}

// onlyTrivia reports whether s lexes to space and comments only.
func onlyTrivia(s string) bool {
	lx := NewLexer(s)
	for {
		tok, err := lx.Next()
		if err != nil || tok.Kind == TokenEOF {
			return err == nil
		}
		if !tok.Kind.IsTrivia() {
			return false
		}
	}
}
