package migrations

import (
	"testing"
	"testing/fstest"
)

// FuzzSections feeds arbitrary bytes to the section reader and the template
// renderer: no panic, every section's Start points at its text in the file,
// and every rendered offset maps back inside the file.
func FuzzSections(f *testing.F) {
	for _, s := range []string{okMigration, Template, "\xef\xbb\xbf-- +up\r\nSELECT ${A};\r\n-- +down\r\n-- no-op", "-- +down\n-- +up", "-- +up", "$${${A}${", "x\n-- +up\n${B}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _ := Open(fstest.MapFS{"0001_a.sql": {Data: data}, "s/0001_b.up.sql": {Data: data}, "s/0001_b.down.sql": {Data: data}})
		if d == nil {
			t.Fatal("Open returned no Dir")
		}
		for _, m := range d.Migrations() {
			for _, sec := range []*Section{m.Up, m.Down} {
				if sec == nil {
					continue
				}
				if sec.Start.Offset+len(sec.Text) > len(data) || string(data[sec.Start.Offset:sec.Start.Offset+len(sec.Text)]) != sec.Text {
					t.Fatalf("section at %+v does not point at its text %q", sec.Start, sec.Text)
				}
				r, _ := sec.Render(map[string]string{"A": "x\ny"})
				for off := 0; off <= len(r.Text); off++ {
					p := r.FilePos(off)
					if p.Offset < sec.Start.Offset || p.Offset > sec.Start.Offset+len(sec.Text) || p.Line < 1 || p.Col < 1 {
						t.Fatalf("FilePos(%d) = %+v outside the section %+v len %d", off, p, sec.Start, len(sec.Text))
					}
				}
			}
		}
	})
}
