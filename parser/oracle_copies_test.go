package parser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// copyForms are the CREATE TABLE … AS forms oracleCopies writes for each
// table of the corpus: without an engine (the source's storage, with
// clauses replaced), and with an engine of its own (which takes some of the
// source's keys). %[1]s is the copy, %[2]s the source.
var copyForms = []string{
	"CREATE TABLE %[1]s AS %[2]s",
	"CREATE TABLE %[1]s AS %[2]s SETTINGS index_granularity = 1024 COMMENT 'copy'",
	"CREATE TABLE %[1]s AS %[2]s ORDER BY tuple()",
	"CREATE TABLE %[1]s AS %[2]s ENGINE = MergeTree",
	"CREATE TABLE %[1]s AS %[2]s ENGINE = ReplacingMergeTree SETTINGS index_granularity = 512",
	"CREATE TABLE %[1]s AS %[2]s ENGINE = Memory",
}

// copyable reports whether copies of a table are safe to create on the
// test server: engines that connect nowhere and need no keeper.
func copyable(e schema.Engine) bool {
	if strings.HasPrefix(e.Name, "Replicated") || strings.HasPrefix(e.Name, "Shared") {
		return false
	}
	switch e.Name {
	case "Memory", "Log", "TinyLog", "StripeLog", "Null", "Set":
		return true
	}
	return e.IsMergeTree()
}

// oracleCopies derives cases from the corpus: every table the model knows
// is copied with each of copyForms. What the server accepts is replayed
// offline on the corpus's model, and the copies are compared with what the
// server reports, field by field. CREATE TABLE AS copies the source's
// definition as the server keeps it, so every storage the corpus models is
// checked once more in that form (the eighth differential run's false drift
// was a VersionedCollapsingMergeTree copy).
func oracleCopies(t *testing.T, db *chtest.DB, r *parser.Replayer, fnPrefix string) {
	ctx := context.Background()
	d, ok := r.Schema().Database(db.Name)
	if !ok {
		t.Fatalf("no database %s in the model", db.Name)
	}
	var sources []string
	for _, tb := range d.Tables {
		if len(tb.Uncertain) == 0 && copyable(tb.Engine) {
			sources = append(sources, tb.Name)
		}
	}
	var accepted []string
	for i, src := range sources {
		for j, form := range copyForms {
			sql := fmt.Sprintf(form, schema.BackQuote(fmt.Sprintf("zcopy_%d_%d", i, j)), schema.BackQuote(src))
			if err := db.Conn.Exec(ctx, sql); err != nil {
				continue // the server refuses this copy (a key it cannot take, say)
			}
			accepted = append(accepted, sql)
		}
	}
	t.Logf("copies: %d of %d accepted by the server, from %d tables", len(accepted), len(sources)*len(copyForms), len(sources))
	if len(accepted) < len(sources) {
		t.Errorf("the server accepted only %d copies of %d tables: the forms are wrong", len(accepted), len(sources))
	}
	before := len(r.Findings())
	r.ReplayScript("copies.sql", strings.Join(accepted, ";\n")+";\n")
	if err := r.Err(); err != nil {
		t.Fatalf("offline replay of the copies:\n%v", err)
	}
	for _, f := range r.Findings()[before:] {
		t.Logf("finding: %s", f) // the object is uncertain, and left out
	}
	keep := func(name string) bool { return strings.Contains(name, fnPrefix) }
	live := readLive(t, db, []string{db.Name}, keep)
	expected := r.Schema()
	expected.Sort()
	compareModels(t, expected, live)
}
