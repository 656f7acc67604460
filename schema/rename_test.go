package schema

import (
	"errors"
	"testing"
)

func TestRenameIdent(t *testing.T) {
	tests := []struct{ expr, from, to, want string }{
		{"upper(a)", "a", "a2", "upper(a2)"},
		{"concat(a, 'a', `a`, t.a, a(1))", "a", "b c", "concat(`b c`, 'a', `b c`, t.a, a(1))"},
		{"arrayMap(s -> concat(s, a), [a])", "a", "x", "arrayMap(s -> concat(s, x), [x])"},
		{"`n.a` + n.a + n.ab", "n.a", "n.b", "`n.b` + `n.b` + n.ab"},
		{"1e5 + a1 + a", "a", "z", "1e5 + a1 + z"},
		{"c + 1", "c", "r", "r + 1"},
		{"`c` - 1", "c", "r c", "`r c` - 1"},
		{"concat('c', toString(c))", "c", "r", "concat('c', toString(r))"},
		{"c(1) + c", "c", "r", "c(1) + r"},
		{"t.c + cc + c2 + c", "c", "r", "t.c + cc + c2 + r"},
		{"1e3 + e", "e", "x", "1e3 + x"},
		{"`a\\`b` > 0", "a`b", "z", "z > 0"},
		{"d + toIntervalDay(1)", "d", "dd", "dd + toIntervalDay(1)"},
	}
	for _, tt := range tests {
		got, used := renameIdent(tt.expr, tt.from, tt.to)
		if got != tt.want || !used {
			t.Errorf("renameIdent(%q, %q, %q) = %q, %v; want %q", tt.expr, tt.from, tt.to, got, used, tt.want)
		}
	}
	if _, used := renameIdent("f('a', b)", "a", "x"); used {
		t.Error("a string literal counted as a reference")
	}
}

// TestRenameColumnRefused: the server refuses to rename a key column or
// one a projection uses; so does the model.
func TestRenameColumnRefused(t *testing.T) {
	for _, tb := range []*Table{
		{Name: "t", Columns: []*Column{{Name: "a", Type: "UInt8"}}, Storage: Storage{OrderBy: "a"}},
		{Name: "t", Columns: []*Column{{Name: "a", Type: "UInt8"}}, Storage: Storage{PartitionBy: "intDiv(a, 2)"}},
		{Name: "t", Columns: []*Column{{Name: "a", Type: "UInt8"}}, Projections: []*Projection{{Name: "p", Query: "SELECT a ORDER BY a"}}},
	} {
		if err := tb.alter(&RenameColumn{From: "a", To: "b"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", tb, err)
		}
	}
}
