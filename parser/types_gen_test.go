package parser

import (
	"context"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestTypeCatalog checks catalogTypeNames against the server: every family
// the server matches case-insensitively, and every alias, must be there
// with the family it stands for; and simpleKeyLayouts, formatNames and
// enginesWithoutSettings.
func TestTypeCatalog(t *testing.T) {
	db := chtest.New(t)
	rows, err := db.Conn.Query(context.Background(), `SELECT DISTINCT upper(name), if(alias_to != '', alias_to, name)
		FROM system.data_type_families WHERE case_insensitive OR alias_to != ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name, family string
		if err := rows.Scan(&name, &family); err != nil {
			t.Fatal(err)
		}
		n++
		if got, ok := catalogTypeNames[name]; !ok || got != family {
			t.Errorf("catalogTypeNames[%q] = %q, %v; the server says %q: regenerate types_gen.go", name, got, ok, family)
		}
	}
	if n == 0 {
		t.Fatal("the server lists no aliases")
	}
	rows, err = db.Conn.Query(context.Background(), "SELECT name FROM system.formats")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !formatNames[name] {
			t.Errorf("formatNames lacks %q: regenerate types_gen.go", name)
		}
	}
	rows, err = db.Conn.Query(context.Background(), "SELECT name, NOT supports_settings FROM system.table_engines")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var none bool
		if err := rows.Scan(&name, &none); err != nil {
			t.Fatal(err)
		}
		if enginesWithoutSettings[name] != none {
			t.Errorf("enginesWithoutSettings[%q] = %v; the server says %v: regenerate types_gen.go", name, enginesWithoutSettings[name], none)
		}
	}
	rows, err = db.Conn.Query(context.Background(), "SELECT upper(name), NOT is_complex FROM system.dictionary_layouts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var simple bool
		if err := rows.Scan(&name, &simple); err != nil {
			t.Fatal(err)
		}
		if simpleKeyLayouts[name] != simple {
			t.Errorf("simpleKeyLayouts[%q] = %v; the server says %v: regenerate types_gen.go", name, simpleKeyLayouts[name], simple)
		}
	}
}
