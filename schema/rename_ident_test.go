package schema

import "testing"

func TestRenameIdent(t *testing.T) {
	for _, tt := range []struct{ in, from, to, want string }{
		{"c + 1", "c", "r", "r + 1"},
		{"`c` - 1", "c", "r c", "`r c` - 1"},
		{"concat('c', toString(c))", "c", "r", "concat('c', toString(r))"},
		{"c(1) + c", "c", "r", "c(1) + r"},
		{"t.c + cc + c2", "c", "r", "t.c + cc + c2"},
		{"1e3 + e", "e", "x", "1e3 + x"},
		{"`a\\`b` > 0", "a`b", "z", "z > 0"},
		{"d + toIntervalDay(1)", "d", "dd", "dd + toIntervalDay(1)"},
		{"", "c", "r", ""},
	} {
		if got := RenameIdent(Expr(tt.in), tt.from, tt.to); string(got) != tt.want {
			t.Errorf("RenameIdent(%q, %q, %q) = %q, want %q", tt.in, tt.from, tt.to, got, tt.want)
		}
	}
}
