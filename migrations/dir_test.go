package migrations

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

const okMigration = "-- +up\nCREATE TABLE t (x Int8) ENGINE = Log;\n-- +down\nDROP TABLE t;\n"

func TestOpenLayout(t *testing.T) {
	fsys := mapFS(map[string]string{
		"init.sql":                       "CREATE DATABASE IF NOT EXISTS db;\n",
		"0001_root.sql":                  okMigration,
		"0002_next.sql":                  okMigration,
		"xapi/0001_create.up.sql":        "CREATE TABLE a (x Int8) ENGINE = Log;\n",
		"xapi/0001_create.down.sql":      "DROP TABLE a;\n",
		"xapi/0002_more.sql":             "-- a comment before the up section\n-- +up\nSELECT 1;\n-- +down\n-- no-op\n",
		"xapi/README.md":                 "ignored",
		"event_sink/00010_start.sql":     okMigration,
		".git/config":                    "ignored",
		"event_sink/.hidden.sql":         "ignored",
		"event_sink/00011_following.sql": okMigration,
	})
	d, err := Open(fsys)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var names []string
	for _, s := range d.Services {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "default,event_sink,xapi" {
		t.Fatalf("services = %s", got)
	}
	if d.Init == nil || d.Init.Text != "CREATE DATABASE IF NOT EXISTS db;\n" {
		t.Errorf("Init = %+v", d.Init)
	}
	xapi, ok := d.Service("xapi")
	if !ok || xapi.Dir != d || len(xapi.Migrations) != 2 {
		t.Fatalf("xapi = %+v", xapi)
	}
	pair := xapi.Migrations[0]
	if pair.Version != 1 || pair.ID != "0001" || pair.Name != "create" || len(pair.Files) != 2 ||
		pair.Files[0] != "xapi/0001_create.up.sql" || pair.Files[1] != "xapi/0001_create.down.sql" || pair.Service != xapi {
		t.Errorf("pair = %+v", pair)
	}
	if pair.Up.Text != "CREATE TABLE a (x Int8) ENGINE = Log;\n" || pair.Up.Start != (Pos{0, 1, 1}) || pair.Down.File != "xapi/0001_create.down.sql" {
		t.Errorf("pair sections = %+v %+v", pair.Up, pair.Down)
	}
	single := xapi.Migrations[1]
	if single.Up.Text != "SELECT 1;\n" || single.Up.Start != (Pos{Offset: 42, Line: 3, Col: 1}) || single.Up.Marker.Line != 2 {
		t.Errorf("up = %+v", single.Up)
	}
	if !single.Down.NoOp || single.Down.Start.Line != 5 {
		t.Errorf("down = %+v", single.Down)
	}
	sink, _ := d.Service("event_sink")
	if m, ok := sink.Migration(11); !ok || m.ID != "00011" {
		t.Errorf("event_sink 11 = %+v", m)
	}
	if root, _ := d.Service(DefaultService); root.Path != "." || len(root.Migrations) != 2 {
		t.Errorf("root = %+v", root)
	}
	if len(d.Migrations()) != 6 {
		t.Errorf("Migrations() = %d, want 6", len(d.Migrations()))
	}
}

func TestOpenErrors(t *testing.T) {
	big := strings.Repeat("SELECT 1;\n", 1<<20) // 10 MB
	tests := []struct {
		name     string
		files    map[string]string
		sentinel error
		want     string // file:line:col: or file: prefix, then a fragment
	}{
		{"malformed name", map[string]string{"s/001_x.sql": okMigration}, ErrFileName, "s/001_x.sql: malformed migration ID"},
		{"no name", map[string]string{"s/0001.sql": okMigration}, ErrFileName, "s/0001.sql: malformed migration file name"},
		{"duplicate ID", map[string]string{"s/0001_a.sql": okMigration, "s/0001_b.sql": okMigration}, ErrDuplicateID, "s/0001_b.sql: ID 0001 of service s is also used by s/0001_a.sql"},
		{"duplicate across layouts", map[string]string{"s/0001_a.sql": okMigration, "s/0001_a.up.sql": "SELECT 1;", "s/0001_a.down.sql": "SELECT 1;"}, ErrDuplicateID, "ID 0001"},
		{"gap", map[string]string{"s/0001_a.sql": okMigration, "s/0003_c.sql": okMigration}, ErrGap, "s/0003_c.sql: ID 0003 of service s follows 0001: IDs are contiguous, so 0002 is missing"},
		{"missing up", map[string]string{"s/0001_a.sql": "-- +down\nSELECT 1;\n"}, ErrMissingUp, "s/0001_a.sql:1:1: missing up section"},
		{"missing down", map[string]string{"s/0001_a.sql": "-- +up\nSELECT 1;\n"}, ErrMissingDown, "s/0001_a.sql:1:1: missing down section"},
		{"missing down file", map[string]string{"s/0001_a.up.sql": "SELECT 1;"}, ErrMissingDown, "s/0001_a.up.sql: s/0001_a.up.sql has no matching 0001_a.down.sql"},
		{"missing up file", map[string]string{"s/0001_a.down.sql": "SELECT 1;"}, ErrMissingUp, "has no matching 0001_a.up.sql"},
		{"second marker", map[string]string{"s/0001_a.sql": okMigration + "-- +up\n"}, ErrMarker, "s/0001_a.sql:5:1: second \"-- +up\" marker; the first is on line 1"},
		{"marker in pair file", map[string]string{"s/0001_a.up.sql": "-- +down\n", "s/0001_a.down.sql": ""}, ErrMarker, "s/0001_a.up.sql:1:1: section marker"},
		{"text before up", map[string]string{"s/0001_a.sql": "SELECT 0;\n" + okMigration}, ErrOutsideSection, "s/0001_a.sql:1:1: text before the first section marker"},
		{"binary garbage", map[string]string{"s/0001_a.sql": "-- +up\nSEL\x00\xff\xfe"}, ErrNotText, "s/0001_a.sql:2:4: not a text file: byte 0x00 at offset 10"},
		{"invalid UTF-8", map[string]string{"s/0001_a.sql": "-- +up\n\xc3\x28"}, ErrNotText, "s/0001_a.sql:2:1: not a text file: byte 0xc3"},
		{"10 MB file", map[string]string{"s/0001_a.sql": big}, ErrTooLarge, "s/0001_a.sql: file is 10485760 bytes, more than the 4 MiB limit"},
		{"bad service name", map[string]string{"bad service/0001_a.sql": okMigration}, ErrServiceName, `bad service: service directory "bad service"`},
		{"default clash", map[string]string{"0001_a.sql": okMigration, "default/0001_a.sql": okMigration}, ErrServiceName, "clashes"},
		{"root file malformed", map[string]string{"notes.sql": "SELECT 1"}, ErrFileName, "notes.sql: malformed migration file name"},
		{"malformed sum file", map[string]string{"0001_a.sql": okMigration, "chschema.sum": "garbage\n"}, ErrSumSyntax, "chschema.sum:1:1: malformed header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(mapFS(tt.files))
			if d == nil {
				t.Fatalf("Open returned no Dir: %v", err)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want %v", err, tt.sentinel)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOpenDirectoryNamedLikeMigration(t *testing.T) {
	fsys := fstest.MapFS{
		"s/0001_a.sql/x": &fstest.MapFile{Data: []byte("x")},
		"0002_b.sql/y":   &fstest.MapFile{Data: []byte("y")},
		"s/nested/z":     &fstest.MapFile{Data: []byte("z")},
	}
	_, err := Open(fsys)
	if !errors.Is(err, ErrUnexpectedDir) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"s/0001_a.sql: s/0001_a.sql is a directory named like a migration file", "0002_b.sql: 0002_b.sql is a directory named like a migration file", "s/nested: unexpected directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want %q", err, want)
		}
	}
}

func TestOpenSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "s"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, link := range []struct{ target, name string }{
		{"loop_b", "loop_a"}, {"loop_a", "loop_b"}, // service-level loop
		{"0002_b.sql", "s/0002_b.sql"}, // a file linking to itself
	} {
		if err := os.Symlink(link.target, filepath.Join(root, link.name)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "s", "0001_a.sql"), []byte(okMigration), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(os.DirFS(root))
	if !errors.Is(err, ErrRead) {
		t.Fatalf("err = %v, want ErrRead", err)
	}
	for _, want := range []string{"loop_a: cannot resolve symlink: ", "s/0002_b.sql: cannot resolve symlink: "} {
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "too many levels of symbolic links") {
			t.Errorf("err = %q, want %q… too many levels of symbolic links", err, want)
		}
	}
	if s, ok := d.Service("s"); !ok || len(s.Migrations) != 1 {
		t.Errorf("the readable migration was not loaded: %+v", s)
	}
}

func TestOpenOddText(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		upText    string
		upStart   Pos
		downStart Pos
	}{
		{"CRLF", "-- +up\r\nSELECT 1;\r\n-- +down\r\n-- no-op\r\n", "SELECT 1;\r\n", Pos{8, 2, 1}, Pos{29, 4, 1}},
		{"BOM", "\xef\xbb\xbf-- +up\nSELECT 1;\n-- +down\n-- no-op\n", "SELECT 1;\n", Pos{10, 2, 1}, Pos{29, 4, 1}},
		{"markers with spaces", "  -- +up  \nSELECT 1;\n\t-- +down\n", "SELECT 1;\n", Pos{11, 2, 1}, Pos{31, 4, 1}},
		{"no final newline", "-- +up\nSELECT 1;\n-- +down", "SELECT 1;\n", Pos{7, 2, 1}, Pos{25, 3, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(mapFS(map[string]string{"0001_a.sql": tt.content}))
			if err != nil {
				t.Fatal(err)
			}
			m := d.Migrations()[0]
			if m.Up.Text != tt.upText || m.Up.Start != tt.upStart || m.Down.Start != tt.downStart {
				t.Errorf("up %q at %+v, down at %+v; want %q at %+v, %+v", m.Up.Text, m.Up.Start, m.Down.Start, tt.upText, tt.upStart, tt.downStart)
			}
		})
	}
}

func TestOpenEmptyFile(t *testing.T) {
	_, err := Open(mapFS(map[string]string{"0001_a.sql": ""}))
	if !errors.Is(err, ErrMissingUp) || !errors.Is(err, ErrMissingDown) {
		t.Errorf("err = %v, want missing up and down", err)
	}
	d, err := Open(mapFS(map[string]string{"0001_a.up.sql": "", "0001_a.down.sql": "", "init.sql": ""}))
	if err != nil {
		t.Fatalf("an empty pair loads (lint reports the empty up): %v", err)
	}
	if d.Migrations()[0].Up.Text != "" || d.Init.Text != "" {
		t.Error("empty files should give empty sections")
	}
}

func TestOpenNil(t *testing.T) {
	if _, err := Open(nil); err == nil {
		t.Error("Open(nil) succeeded")
	}
	if _, err := Open(os.DirFS(filepath.Join(t.TempDir(), "missing"))); !errors.Is(err, ErrRead) {
		t.Errorf("missing root: err = %v, want ErrRead", err)
	}
}

func TestErrorsSorted(t *testing.T) {
	_, err := Open(mapFS(map[string]string{
		"b/0001_x.sql": "-- +up\n", "a/0001_x.sql": "junk\n-- +up\n", "a/0003_y.sql": okMigration,
	}))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	want := []string{
		"a/0001_x.sql:1:1: missing down section: expected a line \"-- +down\" followed by SQL that undoes the up section, or by \"-- no-op\" if there is nothing to undo",
		"a/0001_x.sql:1:1: text before the first section marker; expected a line \"-- +up\", then the up SQL",
		"a/0003_y.sql: ID 0003 of service a follows 0001: IDs are contiguous, so 0002 is missing",
		"b/0001_x.sql:1:1: missing down section: expected a line \"-- +down\" followed by SQL that undoes the up section, or by \"-- no-op\" if there is nothing to undo",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewMigration(t *testing.T) {
	d, err := Open(mapFS(map[string]string{"0001_a.sql": okMigration, "s/00009_x.sql": okMigration}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ service, name, want string }{
		{"default", "next", "0002_next.sql"},
		{"s", "y", "s/00010_y.sql"},
		{"brand_new", "init", "brand_new/0001_init.sql"},
	}
	for _, tt := range tests {
		nf, err := d.NewMigration(tt.service, tt.name)
		if err != nil || nf.Path != tt.want || string(nf.Content) != Template {
			t.Errorf("NewMigration(%s, %s) = %q, %v; want %s", tt.service, tt.name, nf.Path, err, tt.want)
		}
	}
	if _, err := d.NewMigration("s", "has space"); !errors.Is(err, ErrFileName) {
		t.Errorf("bad name: %v", err)
	}
	if _, err := d.NewMigration("../x", "a"); !errors.Is(err, ErrServiceName) {
		t.Errorf("bad service: %v", err)
	}
}

// The template must load, and be flagged by lint for its empty sections,
// rather than by Open.
func TestTemplateLoads(t *testing.T) {
	d, err := Open(mapFS(map[string]string{"0001_a.sql": Template}))
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Migrations()[0]; m.Down.NoOp || m.Up == nil {
		t.Errorf("template sections: %+v %+v", m.Up, m.Down)
	}
}
