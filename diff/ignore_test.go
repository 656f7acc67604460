package diff

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

func TestIgnoreMatch(t *testing.T) {
	ig := mustIgnore(t, "shop.events", "dbt.*", "*.tmp_*", "legacy_fn")
	tests := []struct {
		name   string
		object schema.QualifiedName
		want   bool
	}{
		{"exact", schema.QualifiedName{Database: "shop", Name: "events"}, true},
		{"other table", schema.QualifiedName{Database: "shop", Name: "events2"}, false},
		{"whole database", schema.QualifiedName{Database: "dbt", Name: "mv_orders"}, true},
		{"database itself", schema.QualifiedName{Database: "dbt", Name: "*"}, true},
		{"glob on the table part", schema.QualifiedName{Database: "any", Name: "tmp_1"}, true},
		{"function patterns do not match objects", schema.QualifiedName{Database: "legacy_fn", Name: "x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ig.Match(tt.object); got != tt.want {
				t.Errorf("Match(%v) = %v, want %v", tt.object, got, tt.want)
			}
		})
	}
	if !ig.MatchFunction("legacy_fn") || ig.MatchFunction("events") {
		t.Error("MatchFunction does not follow the dotless patterns")
	}
}

func TestReadIgnoreFile(t *testing.T) {
	fsys := fstest.MapFS{
		"chschema.ignore": {Data: []byte("# managed by dbt\ndbt.*\n\n  shop.mv_* # sessions\n[bad\n.x\n")},
	}
	ps, err := ReadIgnoreFile(fsys, "chschema.ignore")
	if err != nil {
		t.Fatal(err)
	}
	want := []Pattern{
		{Text: "dbt.*", Pos: schema.Position{File: "chschema.ignore", Line: 2, Col: 1}},
		{Text: "shop.mv_*", Pos: schema.Position{File: "chschema.ignore", Line: 4, Col: 3}},
		{Text: "[bad", Pos: schema.Position{File: "chschema.ignore", Line: 5, Col: 1}},
		{Text: ".x", Pos: schema.Position{File: "chschema.ignore", Line: 6, Col: 1}},
	}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Fatalf("patterns (-want +got):\n%s", diff)
	}
	_, err = NewIgnore(ps...)
	var errs PatternErrors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("NewIgnore error = %v, want two PatternErrors", err)
	}
	if !errors.Is(err, ErrPattern) {
		t.Errorf("error does not wrap ErrPattern: %v", err)
	}
	if got := errs[0].Error(); got != `chschema.ignore:5:1: diff: invalid ignore pattern "[bad": syntax error in pattern` {
		t.Errorf("first error = %q", got)
	}
	if errs[1].Pos.Line != 6 {
		t.Errorf("second error at %v, want line 6", errs[1].Pos)
	}
}

func TestReadIgnoreFileMissing(t *testing.T) {
	ps, err := ReadIgnoreFile(fstest.MapFS{}, "chschema.ignore")
	if err != nil || ps != nil {
		t.Errorf("missing file: %v, %v; want no patterns and no error", ps, err)
	}
}

func TestSplitPatterns(t *testing.T) {
	got := SplitPatterns("a.b, c.*  d.e")
	want := []Pattern{{Text: "a.b"}, {Text: "c.*"}, {Text: "d.e"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
