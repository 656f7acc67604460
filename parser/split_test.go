package parser

import (
	"errors"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	type want struct {
		text      string
		line, col int
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"two statements", "SELECT 1;\nSELECT 2;", []want{{"SELECT 1", 1, 1}, {"SELECT 2", 2, 1}}},
		{"no trailing semicolon", "  SELECT 1", []want{{"SELECT 1", 1, 3}}},
		{"semicolon in string", "SELECT 'a;b'; SELECT 2", []want{{"SELECT 'a;b'", 1, 1}, {"SELECT 2", 1, 15}}},
		{"backslash-escaped quote", `SELECT 'it\'s;'; SELECT 2`, []want{{`SELECT 'it\'s;'`, 1, 1}, {"SELECT 2", 1, 18}}},
		{"doubled quote", "SELECT 'it''s;'; SELECT 2", []want{{"SELECT 'it''s;'", 1, 1}, {"SELECT 2", 1, 18}}},
		{"backquoted identifier", "SELECT `a;b` FROM t; SELECT 2", []want{{"SELECT `a;b` FROM t", 1, 1}, {"SELECT 2", 1, 22}}},
		{"double-quoted identifier", `SELECT "a;""b" FROM t`, []want{{`SELECT "a;""b" FROM t`, 1, 1}}},
		{"line comment", "SELECT 1 -- ; not here\n;SELECT 2", []want{{"SELECT 1", 1, 1}, {"SELECT 2", 2, 2}}},
		{"hash comment", "SELECT 1 # ; not here\n;", []want{{"SELECT 1", 1, 1}}},
		{"block comment", "SELECT /* ; */ 1;", []want{{"SELECT /* ; */ 1", 1, 1}}},
		{"nested block comment", "SELECT /* a /* ; */ ; */ 1;", []want{{"SELECT /* a /* ; */ ; */ 1", 1, 1}}},
		{"heredoc", "SELECT $x$ ; ' $x$; SELECT $$;$$", []want{{"SELECT $x$ ; ' $x$", 1, 1}, {"SELECT $$;$$", 1, 21}}},
		{"dollar in identifier is not a heredoc", "SELECT a$b$ FROM t;", []want{{"SELECT a$b$ FROM t", 1, 1}}},
		{"comment-only statements dropped", "-- only a comment\n;/* x */;\n;  ;", nil},
		{"leading comment not in text", "-- intro\nCREATE TABLE t (x Int8) ENGINE = Log", []want{{"CREATE TABLE t (x Int8) ENGINE = Log", 2, 1}}},
		{"CRLF", "SELECT 1;\r\n\r\nSELECT 2;\r\n", []want{{"SELECT 1", 1, 1}, {"SELECT 2", 3, 1}}},
		{"multi-byte column counts bytes", "SELECT 'é'; SELECT 2", []want{{"SELECT 'é'", 1, 1}, {"SELECT 2", 1, 14}}},
		{"empty", "", nil},
		{"minus is not a comment", "SELECT 1 - 1", []want{{"SELECT 1 - 1", 1, 1}}},
		{"number with exponent", "SELECT 1e-3;", []want{{"SELECT 1e-3", 1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split(tt.src, FileStart)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d statements %q, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Text != w.text || g.Pos.Line != w.line || g.Pos.Col != w.col {
					t.Errorf("statement %d = %q at %d:%d, want %q at %d:%d", i, g.Text, g.Pos.Line, g.Pos.Col, w.text, w.line, w.col)
				}
				if tt.src[g.Pos.Offset:g.Pos.Offset+len(g.Text)] != g.Text {
					t.Errorf("statement %d: Pos.Offset %d does not point at its text", i, g.Pos.Offset)
				}
			}
		})
	}
}

func TestSplitStartPosition(t *testing.T) {
	got, err := Split("x;\n  SELECT 1", Pos{Offset: 100, Line: 10, Col: 5})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Pos{Offset: 105, Line: 11, Col: 3}); got[1].Pos != want {
		t.Errorf("Pos = %+v, want %+v", got[1].Pos, want)
	}
}

func TestSplitUnterminated(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"string", "SELECT 1;\nSELECT 'abc", 2, 8, "unterminated string"},
		{"string ending in backslash", `SELECT 'abc\'`, 1, 8, "unterminated string"},
		{"backquoted identifier", "SELECT `abc", 1, 8, "unterminated quoted identifier"},
		{"double-quoted identifier", `SELECT "abc`, 1, 8, "unterminated quoted identifier"},
		{"block comment", "SELECT 1 /* abc", 1, 10, "unterminated block comment"},
		{"nested block comment", "SELECT 1 /* a /* b */", 1, 10, "unterminated block comment"},
		{"heredoc", "SELECT $tag$ abc", 1, 8, "unterminated heredoc $tag$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := Split(tt.src, FileStart)
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrUnterminated) {
				t.Fatalf("err = %v, want a *SyntaxError wrapping ErrUnterminated", err)
			}
			if se.Pos.Line != tt.line || se.Pos.Col != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("err = %v, want %d:%d: %s", err, tt.line, tt.col, tt.msg)
			}
			if strings.HasPrefix(tt.src, "SELECT 1;") && len(stmts) != 1 {
				t.Errorf("got %d statements before the error, want 1", len(stmts))
			}
		})
	}
}

// FuzzSplit checks that Split never panics, that statement positions point
// at their text, and that statements come in order without overlap.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "SELECT 'a;b' -- c\n; /* /* */ */ x", "$a$ ; $a$;", "`a``b`;\"c\\\"\"", "'", "/*", "é;\r\n#x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, _ := Split(src, FileStart)
		last := 0
		for _, s := range stmts {
			if s.Pos.Offset < last || s.Pos.Offset+len(s.Text) > len(src) {
				t.Fatalf("statement %q at offset %d out of order or range", s.Text, s.Pos.Offset)
			}
			if src[s.Pos.Offset:s.Pos.Offset+len(s.Text)] != s.Text {
				t.Fatalf("statement %q: offset %d does not point at it", s.Text, s.Pos.Offset)
			}
			if want := FileStart.Advance(src[:s.Pos.Offset]); want != s.Pos {
				t.Fatalf("statement %q: Pos %+v, want %+v", s.Text, s.Pos, want)
			}
			if s.Text == "" {
				t.Fatal("empty statement")
			}
			last = s.Pos.Offset + len(s.Text)
		}
	})
}
