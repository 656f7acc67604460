package parser

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/schema"
)

func TestDesiredSchema(t *testing.T) {
	tests := []struct {
		name      string
		files     fstest.MapFS
		want      []string // objects the schema holds, db.name
		wantErrAt []string // error positions, in order
		notExist  bool
	}{
		{
			name: "files in path order, any layout",
			files: fstest.MapFS{
				"a_databases.sql":   {Data: []byte("CREATE DATABASE shop;\n")},
				"tables/events.sql": {Data: []byte("CREATE TABLE shop.events (id UInt64) ENGINE = MergeTree ORDER BY id;\n")},
				"views/mv.sql":      {Data: []byte("CREATE TABLE shop.totals (id UInt64) ENGINE = MergeTree ORDER BY id;\nCREATE MATERIALIZED VIEW shop.mv TO shop.totals AS SELECT id FROM shop.events;\n")},
				"README.md":         {Data: []byte("not SQL")},
			},
			want: []string{"shop.events", "shop.mv", "shop.totals"},
		},
		{
			name: "unqualified names go to default in every file",
			files: fstest.MapFS{
				"a.sql": {Data: []byte("CREATE DATABASE other;\nUSE other;\nCREATE TABLE t (x UInt8) ENGINE = Memory;\n")},
				"b.sql": {Data: []byte("CREATE TABLE u (x UInt8) ENGINE = Memory;\n")},
			},
			want: []string{"default.u", "other.t"},
		},
		{
			name:  "hidden directories are skipped",
			files: fstest.MapFS{"s.sql": {Data: []byte("CREATE TABLE t (x UInt8) ENGINE = Memory;\n")}, ".git/x.sql": {Data: []byte("garbage")}},
			want:  []string{"default.t"},
		},
		{
			name: "every refused statement, sorted by position",
			files: fstest.MapFS{
				"b.sql": {Data: []byte("CREATE TABLE t (x UInt8) ENGINE = Memory;\n\nCREATE TABLE t (x UInt8) ENGINE = Memory;\n")},
				"a.sql": {Data: []byte("ALTER TABLE missing ADD COLUMN y UInt8;\n")},
			},
			wantErrAt: []string{"a.sql:1:1", "b.sql:3:1"},
		},
		{name: "no sql files", files: fstest.MapFS{"x.txt": {}}, notExist: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := DesiredSchema(tt.files, DesiredOptions{})
			switch {
			case tt.notExist:
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("got %v, want fs.ErrNotExist", err)
				}
				return
			case tt.wantErrAt != nil:
				var list ReplayErrors
				if !errors.As(err, &list) {
					t.Fatalf("got %v, want ReplayErrors", err)
				}
				var at []string
				for _, e := range list {
					at = append(at, e.Pos.String())
				}
				if strings.Join(at, " ") != strings.Join(tt.wantErrAt, " ") {
					t.Fatalf("errors at %v, want %v\n%v", at, tt.wantErrAt, err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			var got []string
			for _, d := range s.Databases {
				got = append(got, objectNames(d.Tables)...)
				got = append(got, objectNames(d.Views)...)
				got = append(got, objectNames(d.Dictionaries)...)
			}
			if strings.Join(sorted(got), " ") != strings.Join(tt.want, " ") {
				t.Errorf("objects %v, want %v", got, tt.want)
			}
		})
	}
}

func objectNames[T schema.Object](os []T) []string {
	var out []string
	for _, o := range os {
		n := o.ObjectName()
		out = append(out, n.Database+"."+n.Name)
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
