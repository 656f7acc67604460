package parser

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
)

// engineSamples are an engine clause and a column list for each engine of
// engineSettings, and a valid value for each of its settings.
var engineSamples = map[string]string{
	"Memory": "Memory", "Set": "Set", "Join": "Join(ANY, LEFT, a)", "Log": "Log", "TinyLog": "TinyLog",
	"StripeLog": "StripeLog", "EmbeddedRocksDB": "EmbeddedRocksDB PRIMARY KEY a", "Null": "Null",
	"Buffer": "Buffer(currentDatabase(), es_target, 1, 1, 2, 1, 2, 1, 2)",
}

var settingSamples = map[string]string{"disk": "'default'", "join_overflow_mode": "'throw'", "bulk_insert_block_size": "1000"}

// TestEngineSettings checks engineSettings against the server (issue 11:
// a Memory, Set or Join table's query-level SETTINGS are not stored): each
// setting listed for an engine is stored, a query-level one (max_threads)
// is not, and the offline model says the same as engine_full.
func TestEngineSettings(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.Conn.Exec(ctx, "CREATE TABLE es_target (a UInt8, b String) ENGINE = Memory"); err != nil {
		t.Fatal(err)
	}
	engines := make([]string, 0, len(engineSettings))
	for e := range engineSettings {
		engines = append(engines, e)
	}
	sort.Strings(engines)
	n := 0
	for _, engine := range engines {
		clause, ok := engineSamples[engine]
		if !ok {
			t.Errorf("engine %s: no sample in engineSamples", engine)
			continue
		}
		names := []string{"max_threads"}
		for s := range engineSettings[engine] {
			names = append(names, s)
		}
		sort.Strings(names)
		for _, s := range names {
			n++
			value := settingSamples[s]
			if value == "" {
				value = "0"
			}
			table := fmt.Sprintf("es_%d", n)
			sql := fmt.Sprintf("CREATE TABLE %s (a UInt8, b String) ENGINE = %s SETTINGS %s = %s", table, clause, s, value)
			if err := db.Conn.Exec(ctx, sql); err != nil {
				t.Errorf("%s: %v", sql, err)
				continue
			}
			var engineFull string
			if err := db.Conn.QueryRow(ctx, "SELECT engine_full FROM system.tables WHERE database = ? AND name = ?", db.Name, table).Scan(&engineFull); err != nil {
				t.Fatal(err)
			}
			conv, err := Convert(sql, db.Name)
			if err != nil || len(conv.Changes) != 1 || len(conv.Unsupported) > 0 {
				t.Fatalf("%s: %+v %v", sql, conv, err)
			}
			got := conv.Changes[0].(*schema.AddTable).T.Settings
			stored := len(engineSettings[engine]) > 0 && engineSettings[engine][s]
			if (len(got) == 1) != stored {
				t.Errorf("%s: offline settings %v, want stored=%v", sql, got, stored)
			}
			if onServer := strings.Contains(engineFull, "SETTINGS "+s); onServer != stored {
				t.Errorf("%s: the server's engine_full %q, want stored=%v", sql, engineFull, stored)
			}
		}
	}
	// An engine not in the list makes a query-level setting unknown.
	conv, err := Convert("CREATE TABLE f (a UInt8) ENGINE = File(CSV) SETTINGS max_threads = 1", db.Name)
	if err != nil || len(conv.Unsupported) != 1 {
		t.Errorf("File with a query-level setting: %+v %v, want it uncertain", conv, err)
	}
	t.Logf("%d tables", n)
}
