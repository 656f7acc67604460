package migrations

import (
	"errors"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	sec := &Section{File: "s/0001_a.sql", Text: "CREATE DATABASE ${DB};\nSELECT '$${KEEP}', ${CLUSTER}, ${DB}x;\n", Start: Pos{Offset: 7, Line: 2, Col: 1}}
	r, err := sec.Render(map[string]string{"DB": "analytics", "CLUSTER": "c\nluster"})
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE DATABASE analytics;\nSELECT '${KEEP}', c\nluster, analyticsx;\n"
	if r.Text != want {
		t.Fatalf("Text = %q, want %q", r.Text, want)
	}
	tests := []struct {
		at        string // a unique substring of r.Text
		line, col int
	}{
		{"CREATE", 2, 1},
		{"analytics;", 2, 17}, // inside a value: the '$' of ${DB}
		{";\nSELECT", 2, 22},
		{"SELECT", 3, 1},
		{"${KEEP}", 3, 10}, // after an escape: the second '$' of $${
		{"luster", 3, 20},  // second line of a multi-line value: still its ${
		{", analyticsx", 3, 30},
		{"x;", 3, 37},
	}
	for _, tt := range tests {
		off := strings.Index(r.Text, tt.at)
		p := r.FilePos(off)
		if p.Line != tt.line || p.Col != tt.col {
			t.Errorf("FilePos(%q) = %d:%d, want %d:%d", tt.at, p.Line, p.Col, tt.line, tt.col)
		}
	}
}

func TestRenderNoVariables(t *testing.T) {
	sec := &Section{Text: "SELECT 1;\nSELECT 2;", Start: Pos{Offset: 10, Line: 4, Col: 1}}
	r, err := sec.Render(nil)
	if err != nil || r.Text != sec.Text {
		t.Fatalf("Render = %q, %v", r.Text, err)
	}
	if p := r.FilePos(12); p != (Pos{Offset: 22, Line: 5, Col: 3}) {
		t.Errorf("FilePos(12) = %+v", p)
	}
}

func TestRenderErrors(t *testing.T) {
	sec := &Section{File: "s/0001_a.sql", Text: "SELECT ${A},\n  ${B}, ${ C }, ${A};", Start: Pos{Offset: 7, Line: 2, Col: 1}}
	r, err := sec.Render(map[string]string{})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"s/0001_a.sql:2:8: undefined template variable ${A}: set it with --var A=VALUE or CHSCHEMA_VAR_A",
		"s/0001_a.sql:3:3: undefined template variable ${B}: set it with --var B=VALUE or CHSCHEMA_VAR_B",
		"s/0001_a.sql:3:9: malformed template variable: expected ${NAME} with NAME a letter or '_' then letters, digits or '_'; write $${ for a literal ${",
		"s/0001_a.sql:3:17: undefined template variable ${A}: set it with --var A=VALUE or CHSCHEMA_VAR_A",
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if !errors.Is(list[0], ErrUndefinedVar) || !errors.Is(list[2], ErrBadTemplate) {
		t.Error("sentinels not wrapped")
	}
	if r.Text != sec.Text {
		t.Errorf("undefined variables should stay as written: %q", r.Text)
	}
}
