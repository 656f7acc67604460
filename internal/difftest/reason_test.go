package difftest

import "testing"

func TestReasonKind(t *testing.T) {
	for in, want := range map[string]string{
		"an Alias table's columns are its target's, whatever they are at the time": "an Alias table's columns are its target's, whatever they are at the time",
		"cannot read the statement: expected '<ident>', but got `t53`":             "cannot read the statement: expected …, but got …",
		"CREATE TABLE AS t_difftest_12ab.t41, which the model does not know":       "CREATE TABLE AS x, which the model does not know",
		"column \"c 22\" of ${db}.t9 is unknown":                                   "column … of x is unknown",
	} {
		if got := reasonKind(in); got != want {
			t.Errorf("reasonKind(%q) = %q, want %q", in, got, want)
		}
	}
}
