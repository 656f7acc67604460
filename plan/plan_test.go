package plan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/plan"
	"github.com/chschema/chschema/schema"
)

func TestParseRename(t *testing.T) {
	tests := []struct {
		name, in string
		want     plan.Rename
		wantErr  bool
	}{
		{name: "bare column", in: "a=b", want: plan.Rename{From: "a", To: "b"}},
		{name: "table column", in: "t.a=b", want: plan.Rename{Table: schema.QualifiedName{Name: "t"}, From: "a", To: "b"}},
		{name: "qualified column", in: "db.t.a=b", want: plan.Rename{Table: schema.QualifiedName{Database: "db", Name: "t"}, From: "a", To: "b"}},
		{name: "object", in: "db.t=db.u", want: plan.Rename{Table: schema.QualifiedName{Database: "db", Name: "t"}, To: "u"}},
		{name: "object across databases", in: "db.t=other.u", wantErr: true},
		{name: "no equals", in: "a", wantErr: true},
		{name: "empty part", in: "db..a=b", wantErr: true},
		{name: "qualified new column", in: "t.a=t.b.c", wantErr: true},
		{name: "too many parts", in: "a.b.c.d=e", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plan.ParseRename(tt.in)
			if tt.wantErr {
				if !errors.Is(err, plan.ErrRenameHint) {
					t.Fatalf("got %v, %v; want an ErrRenameHint", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
			if back, err := plan.ParseRename(got.String()); err != nil || back != got {
				t.Errorf("String %q does not read back: %+v, %v", got.String(), back, err)
			}
		})
	}
}

func TestWidens(t *testing.T) {
	tests := []struct {
		from, to schema.Type
		want     bool
	}{
		{"Int32", "Int64", true},
		{"Int64", "Int32", false},
		{"UInt32", "Int64", true},
		{"UInt32", "Int32", false},
		{"Float32", "Float64", true},
		{"String", "Nullable(String)", true},
		{"Nullable(String)", "String", false},
		{"String", "LowCardinality(String)", true},
		{"LowCardinality(String)", "String", true},
		{"Nullable(Int32)", "Nullable(Int64)", true},
		{"Date", "DateTime64(3)", true},
		{"DateTime", "Date", false},
		{"String", "UInt64", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"->"+string(tt.to), func(t *testing.T) {
			if got := plan.Widens(tt.from, tt.to); got != tt.want {
				t.Errorf("Widens = %v, want %v", got, tt.want)
			}
		})
	}
}

func mapSchema(t testing.TB, sql string) *schema.Schema {
	t.Helper()
	s, findings, err := parser.DesiredSchema(fstest.MapFS{"s.sql": {Data: []byte(sql)}}, parser.DesiredOptions{})
	if err != nil || len(findings) > 0 {
		t.Fatalf("%v %v", err, findings)
	}
	return s
}

// oddSchema is a table whose names need quoting: a space, a backquote. The
// parser cannot read a backquote inside a quoted name, so the model is
// built by hand.
func oddSchema(withColumn bool) *schema.Schema {
	s := schema.New()
	d := s.AddDatabase(&schema.Database{Name: "plan odd", Engine: schema.Engine{Name: "Atomic"}})
	tb := &schema.Table{Name: "we`ird", Columns: []*schema.Column{{Name: "a b", Type: "UInt8"}, {Name: "x", Type: "String"}},
		Storage: schema.Storage{Engine: schema.Engine{Name: "MergeTree"}, OrderBy: "`a b`"}}
	if withColumn {
		tb.Columns[1].Comment = "it's"
		tb.Columns = append(tb.Columns, &schema.Column{Name: "c`d", Type: "Nullable(String)"})
	}
	d.Tables = []*schema.Table{tb}
	s.Link()
	return s
}

// TestQuotedIdentifiers plans changes to a table whose names need quoting
// and runs them on the server, asserting on what system.columns reports.
func TestQuotedIdentifiers(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	old, want := oddSchema(false), oddSchema(true)
	m, err := plan.Plan(old, want, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	up := m.Render()
	for _, s := range []string{"ALTER TABLE `plan odd`.`we\\`ird`", "ADD COLUMN `c\\`d` Nullable(String) AFTER `x`", "COMMENT COLUMN `x` 'it\\'s'"} {
		if !strings.Contains(up, s) {
			t.Errorf("plan lacks %q:\n%s", s, up)
		}
	}
	t.Cleanup(func() { _ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS `plan odd` SYNC") })
	_ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS `plan odd` SYNC")
	for _, st := range schema.Statements(old) {
		if err := db.Conn.Exec(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	run := func(ss []plan.Statement) {
		for _, st := range ss {
			if err := db.Conn.Exec(ctx, st.SQL); err != nil {
				t.Fatalf("%s: %v", st.SQL, err)
			}
		}
	}
	columns := func() string {
		rows, err := db.Conn.Query(ctx, "SELECT name, type, comment FROM system.columns WHERE database = 'plan odd' AND table = 'we`ird' ORDER BY position")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n, ty, c string
			if err := rows.Scan(&n, &ty, &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, n+" "+ty+" "+c)
		}
		return strings.Join(out, "; ")
	}
	run(m.Up)
	if got, want := columns(), "a b UInt8 ; x String it's; c`d Nullable(String) "; got != want {
		t.Errorf("after up: columns %q, want %q", got, want)
	}
	run(m.Down)
	if got, want := columns(), "a b UInt8 ; x String "; got != want {
		t.Errorf("after down: columns %q, want %q", got, want)
	}
}

// TestUnmatchedRenameHint reports a hint that names no dropped and added
// pair instead of ignoring it.
func TestUnmatchedRenameHint(t *testing.T) {
	s := mapSchema(t, "CREATE TABLE default.t (a UInt8) ENGINE = MergeTree ORDER BY a;\n")
	_, err := plan.Plan(s, s, plan.Options{Renames: []plan.Rename{{From: "x", To: "y"}}})
	if !errors.Is(err, plan.ErrRenameHint) || !strings.Contains(err.Error(), "x=y") {
		t.Fatalf("got %v, want an ErrRenameHint naming x=y", err)
	}
}

// BenchmarkPlanExample plans the combined edit of the example project,
// up and down.
func BenchmarkPlanExample(b *testing.B) {
	old, text := exampleSchema(b)
	var want *schema.Schema
	for _, e := range edits {
		if e.name == "combined_one_alter" {
			want = desired(b, e.apply(b, text))
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := plan.Plan(old, want, plan.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
