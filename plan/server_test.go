package plan_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/plan"
	"github.com/chschema/chschema/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// The example project's databases, under names this test owns on the
// shared server.
var exampleVars = map[string]string{
	"XAPI_DB": "plan_xapi", "EVENT_SINK_DB": "plan_event_sink", "VECTOR_DB": "plan_vector", "ON_CLUSTER": "",
}

var exampleDatabases = []string{"plan_event_sink", "plan_vector", "plan_xapi"}

// allDatabases are the example's and the one an edit creates.
var allDatabases = append(append([]string(nil), exampleDatabases...), "plan_extra")

const testFunction = "plan_test_double"

// exampleSchema is the expected schema of the example project, and its
// canonical SQL, the text a team starts its schema directory from.
func exampleSchema(t testing.TB) (*schema.Schema, string) {
	t.Helper()
	d, err := migrations.Open(os.DirFS("../examples/migrations"))
	if err != nil {
		t.Fatal(err)
	}
	s, findings, err := parser.ExpectedSchema(d, parser.ExpectedOptions{Vars: exampleVars})
	if err != nil || len(findings) > 0 {
		t.Fatalf("expected schema: %v %v", err, findings)
	}
	s.KeepDatabases(exampleDatabases)
	return s, schema.Render(s)
}

// desired parses a schema directory holding text.
func desired(t testing.TB, text string) *schema.Schema {
	t.Helper()
	s, findings, err := parser.DesiredSchema(fstest.MapFS{"schema.sql": {Data: []byte(text)}}, parser.DesiredOptions{})
	if err != nil || len(findings) > 0 {
		t.Fatalf("desired schema: %v %v\n%s", err, findings, text)
	}
	s.KeepDatabases(allDatabases)
	return s
}

// edit is a schema edit: text replacements on the example's canonical SQL,
// and statements appended to it.
type edit struct {
	name     string
	replace  []string // old, new, old, new...
	drop     string   // a statement to remove: the line that starts with it
	add      string
	opts     plan.Options
	wantErr  error  // a planning error (nothing is applied)
	warning  string // a warning the plan must give
	rowsKept bool   // the rows of every table both sides have survive up
}

func (e edit) apply(t testing.TB, text string) string {
	t.Helper()
	for i := 0; i+1 < len(e.replace); i += 2 {
		if !strings.Contains(text, e.replace[i]) {
			t.Fatalf("edit %s: %q not in the schema", e.name, e.replace[i])
		}
		text = strings.Replace(text, e.replace[i], e.replace[i+1], 1)
	}
	if e.drop != "" {
		i := strings.Index(text, "\n"+e.drop)
		if i < 0 {
			t.Fatalf("edit %s: no statement starting %q in the schema", e.name, e.drop)
		}
		end := strings.Index(text[i+1:], "\n")
		text = text[:i+1] + text[i+1+end+1:]
	}
	return text + e.add
}

const (
	logs     = "CREATE TABLE plan_vector.tracking_logs (`time` DateTime, `message` String, `level` LowCardinality(String) DEFAULT 'info', `date` Date MATERIALIZED toDate(time))"
	logsTail = "ENGINE = MergeTree PARTITION BY toYYYYMM(time) ORDER BY time TTL time + toIntervalYear(1) SETTINGS index_granularity = 8192 COMMENT 'raw tracking logs'"
	profile  = "CREATE TABLE plan_event_sink.user_profile (`id` Int32, `user_id` Int32, `name` String, `language` String, `year_of_birth` Nullable(Int32), `gender` String, `country` String, `time_last_dumped` DateTime64(6))"
	profTail = "ENGINE = ReplacingMergeTree(time_last_dumped) PRIMARY KEY (user_id) ORDER BY (user_id, time_last_dumped) SETTINGS index_granularity = 8192"
)

var edits = []edit{
	// Columns.
	{name: "add_column_after", replace: []string{"`message` String, `level`", "`message` String, `host` String DEFAULT '', `level`"}, rowsKept: true},
	{name: "add_column_first", replace: []string{"tracking_logs (`time` DateTime,", "tracking_logs (`seq` UInt64, `time` DateTime,"}, rowsKept: true},
	{name: "add_column_last", replace: []string{"`time_last_dumped` DateTime64(6)) ENGINE = ReplacingMergeTree(time_last_dumped) PRIMARY KEY (user_id)", "`time_last_dumped` DateTime64(6), `email` Nullable(String)) ENGINE = ReplacingMergeTree(time_last_dumped) PRIMARY KEY (user_id)"}, rowsKept: true},
	{name: "drop_column", replace: []string{"`gender` String, ", ""}, rowsKept: true},
	// A Nested column the server keeps whole (made under flatten_nested = 0).
	{name: "add_column_nested_whole", replace: []string{logs + " " + logsTail + ";",
		strings.TrimSuffix(logs, ")") + ", `hits` Nested(url String, n UInt32)) " + logsTail + " SETTINGS flatten_nested = 0;"}, rowsKept: true},
	{name: "modify_type_widen", replace: []string{"`year_of_birth` Nullable(Int32)", "`year_of_birth` Nullable(Int64)"}, rowsKept: true},
	{name: "modify_type_narrow", replace: []string{"(`id` Int32, `user_id` Int32", "(`id` Int16, `user_id` Int32"}, rowsKept: true},
	{name: "modify_default", replace: []string{"DEFAULT 'info'", "DEFAULT 'warn'"}, rowsKept: true},
	{name: "remove_default", replace: []string{" DEFAULT 'info'", ""}, rowsKept: true},
	{name: "remove_materialized", replace: []string{"`date` Date MATERIALIZED toDate(time)", "`date` Date"}, rowsKept: true},
	{name: "add_codec", replace: []string{"`message` String,", "`message` String CODEC(ZSTD(3)),"}, rowsKept: true},
	{name: "remove_codec", replace: []string{"`emission_time` DateTime64(6) CODEC(Delta(8), ZSTD(1))", "`emission_time` DateTime64(6)"}, rowsKept: true},
	{name: "add_column_ttl", replace: []string{"`message` String,", "`message` String TTL time + toIntervalDay(30),"}, rowsKept: true},
	{name: "comment_column", replace: []string{"`message` String,", "`message` String COMMENT 'the log line',"}, rowsKept: true},
	{name: "change_column_comment", replace: []string{"COMMENT 'seconds into the video'", "COMMENT 'position, in seconds'"}, rowsKept: true},
	{name: "move_column_after", replace: []string{"(`time` DateTime, `message` String, `level` LowCardinality(String) DEFAULT 'info',", "(`time` DateTime, `level` LowCardinality(String) DEFAULT 'info', `message` String,"}, rowsKept: true},
	{name: "rename_column_hint", replace: []string{"`language` String", "`lang` String"},
		opts: plan.Options{Renames: []plan.Rename{mustRename("plan_event_sink.user_profile.language=lang")}}, rowsKept: true},
	{name: "rename_column_unhinted", replace: []string{"`language` String", "`lang` String"},
		warning: "if it is a rename, pass --rename plan_event_sink.user_profile.language=lang"},
	{name: "rename_column_confirmed", replace: []string{"`country` String, `time_last_dumped`", "`country_code` String, `time_last_dumped`"},
		opts: plan.Options{Confirm: yes{}}, rowsKept: true},
	// Indexes, projections, constraints.
	{name: "add_index", replace: []string{logs, strings.TrimSuffix(logs, ")") + ", INDEX idx_level level TYPE set(100) GRANULARITY 2)"}, rowsKept: true},
	{name: "drop_index", replace: []string{", INDEX idx_verb verb TYPE set(10) GRANULARITY 1", ""}, rowsKept: true},
	{name: "modify_index", replace: []string{"INDEX idx_verb verb TYPE set(10) GRANULARITY 1", "INDEX idx_verb verb TYPE set(20) GRANULARITY 2"}, rowsKept: true},
	{name: "add_projection", replace: []string{logs, strings.TrimSuffix(logs, ")") + ", PROJECTION by_level (SELECT level, count() GROUP BY level))"}, rowsKept: true},
	{name: "add_constraint", replace: []string{profile, strings.TrimSuffix(profile, ")") + ", CONSTRAINT positive_id CHECK id > 0)"}, rowsKept: true},
	// Table clauses.
	{name: "modify_ttl", replace: []string{"TTL time + toIntervalYear(1)", "TTL time + toIntervalYear(2)"}, rowsKept: true},
	{name: "remove_ttl", replace: []string{" TTL time + toIntervalYear(1)", ""}, rowsKept: true},
	{name: "add_ttl", replace: []string{profTail, strings.Replace(profTail, " SETTINGS", " TTL toDateTime(time_last_dumped) + toIntervalYear(10) SETTINGS", 1)}, rowsKept: true},
	{name: "modify_setting", replace: []string{profTail, profTail + ", merge_with_ttl_timeout = 3600"}, rowsKept: true},
	{name: "table_comment", replace: []string{"COMMENT 'raw tracking logs'", "COMMENT 'tracking logs from Vector'"}, rowsKept: true},
	{name: "order_by_append_new_column", replace: []string{
		"`inserted_at` DateTime DEFAULT now()) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(emission_time) ORDER BY (emission_time, event_id)",
		"`inserted_at` DateTime DEFAULT now(), `source` LowCardinality(String)) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(emission_time) PRIMARY KEY (emission_time, event_id) ORDER BY (emission_time, event_id, source)"}, rowsKept: true},
	// Changes ClickHouse cannot make in place.
	{name: "order_by_change_refused", replace: []string{"PRIMARY KEY (user_id) ORDER BY (user_id, time_last_dumped)", "PRIMARY KEY (country) ORDER BY (country, user_id)"}, wantErr: plan.ErrRecreate},
	{name: "order_by_change_recreated", replace: []string{"PRIMARY KEY (user_id) ORDER BY (user_id, time_last_dumped)", "PRIMARY KEY (country) ORDER BY (country, user_id)"},
		opts: plan.Options{AllowRecreate: true}, rowsKept: true},
	{name: "engine_change_recreated", replace: []string{profTail, "ENGINE = MergeTree PRIMARY KEY (user_id) ORDER BY (user_id, time_last_dumped) SETTINGS index_granularity = 8192"},
		opts: plan.Options{AllowRecreate: true}, rowsKept: true},
	{name: "partition_by_refused", replace: []string{profTail, strings.Replace(profTail, " PRIMARY KEY", " PARTITION BY toYear(time_last_dumped) PRIMARY KEY", 1)}, wantErr: plan.ErrRecreate},
	{name: "partition_by_recreated", replace: []string{profTail, strings.Replace(profTail, " PRIMARY KEY", " PARTITION BY toYear(time_last_dumped) PRIMARY KEY", 1)},
		opts: plan.Options{AllowRecreate: true}, rowsKept: true},
	{name: "key_column_type_refused", replace: []string{"`user_id` Int32,", "`user_id` Int64,"}, wantErr: plan.ErrRecreate},
	{name: "view_storage_refused", replace: []string{"ENGINE = SummingMergeTree ORDER BY (day, level)", "ENGINE = SummingMergeTree ORDER BY (level, day)"}, wantErr: plan.ErrRecreate},
	// Views.
	{name: "modify_query", replace: []string{"event AS event_str FROM", "substring(event, 1, 10000) AS event_str FROM"}, rowsKept: true},
	{name: "create_view", add: "CREATE VIEW plan_vector.recent_errors AS SELECT time, message FROM plan_vector.tracking_logs WHERE level = 'error';\n", rowsKept: true},
	{name: "create_materialized_view", add: "CREATE TABLE plan_vector.daily (`day` Date, `n` UInt64) ENGINE = SummingMergeTree ORDER BY day;\n" +
		"CREATE MATERIALIZED VIEW plan_vector.daily_mv TO plan_vector.daily AS SELECT toDate(time) AS day, count() AS n FROM plan_vector.tracking_logs GROUP BY day;\n", rowsKept: true},
	{name: "drop_materialized_view", drop: "CREATE MATERIALIZED VIEW plan_vector.log_level_counts ", rowsKept: true},
	// Whole tables and dictionaries.
	{name: "create_table", add: "CREATE TABLE plan_vector.errors (`time` DateTime, `message` String) ENGINE = MergeTree ORDER BY time;\n", rowsKept: true},
	{name: "drop_table_and_its_dictionary", replace: []string{profile + " " + profTail + ";\n", "",
		"CREATE DICTIONARY plan_event_sink.user_countries (`user_id` UInt64, `country` String DEFAULT '') PRIMARY KEY user_id SOURCE(CLICKHOUSE(TABLE 'user_profile' DB 'plan_event_sink')) LIFETIME(MIN 0 MAX 300) LAYOUT(HASHED());\n", ""}},
	{name: "order_by_append_with_default_refused", replace: []string{
		"`inserted_at` DateTime DEFAULT now()) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(emission_time) ORDER BY (emission_time, event_id)",
		"`inserted_at` DateTime DEFAULT now(), `source` LowCardinality(String) DEFAULT 'ralph') ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(emission_time) PRIMARY KEY (emission_time, event_id) ORDER BY (emission_time, event_id, source)"}, wantErr: plan.ErrRecreate},
	{name: "rename_table_identical", replace: []string{"plan_event_sink.course_overviews (", "plan_event_sink.course_catalog (", "FROM plan_event_sink.course_overviews FINAL", "FROM plan_event_sink.course_catalog FINAL"}},
	{name: "rename_table_retargets_view", replace: []string{"plan_xapi.video_playback_events_base", "plan_xapi.video_playback", "plan_xapi.video_playback_events_base", "plan_xapi.video_playback"}},
	{name: "rename_table_hint_with_changes", replace: []string{"plan_event_sink.user_profile (", "plan_event_sink.user_profiles (", "`country` String, ", "`country` String, `city` String, ", "TABLE 'user_profile'", "TABLE 'user_profiles'"},
		opts: plan.Options{Renames: []plan.Rename{mustRename("plan_event_sink.user_profile=plan_event_sink.user_profiles")}}},
	{name: "create_dictionary", add: "CREATE DICTIONARY plan_event_sink.user_names (`user_id` UInt64, `name` String DEFAULT '') PRIMARY KEY user_id SOURCE(CLICKHOUSE(TABLE 'user_profile' DB 'plan_event_sink')) LIFETIME(MIN 0 MAX 600) LAYOUT(HASHED());\n", rowsKept: true},
	{name: "drop_dictionary", replace: []string{"CREATE DICTIONARY plan_event_sink.user_countries (`user_id` UInt64, `country` String DEFAULT '') PRIMARY KEY user_id SOURCE(CLICKHOUSE(TABLE 'user_profile' DB 'plan_event_sink')) LIFETIME(MIN 0 MAX 300) LAYOUT(HASHED());\n", ""}, rowsKept: true},
	{name: "modify_dictionary", replace: []string{"LIFETIME(MIN 0 MAX 300)", "LIFETIME(MIN 60 MAX 600)"}, rowsKept: true},
	{name: "rename_dictionary", replace: []string{"DICTIONARY plan_event_sink.user_countries", "DICTIONARY plan_event_sink.user_country"}, rowsKept: true},
	{name: "create_database", add: "CREATE DATABASE plan_extra ENGINE = Atomic;\nCREATE TABLE plan_extra.t (`id` UInt64) ENGINE = MergeTree ORDER BY id;\n", rowsKept: true},
	{name: "create_function", add: "CREATE FUNCTION " + testFunction + " AS (x) -> x * 2;\n", rowsKept: true},
	// Several changes to one table: one ALTER.
	{name: "combined_one_alter", replace: []string{logs + " " + logsTail,
		"CREATE TABLE plan_vector.tracking_logs (`time` DateTime, `message` String COMMENT 'the line', `host` String DEFAULT '', `level` LowCardinality(String) DEFAULT 'warn', `date` Date MATERIALIZED toDate(time), INDEX idx_host host TYPE bloom_filter GRANULARITY 4) " +
			"ENGINE = MergeTree PARTITION BY toYYYYMM(time) ORDER BY time TTL time + toIntervalYear(3) SETTINGS index_granularity = 8192, merge_with_ttl_timeout = 7200 COMMENT 'logs'"}, rowsKept: true},
	{name: "combined_columns", replace: []string{profile, "CREATE TABLE plan_event_sink.user_profile (`id` Int64, `user_id` Int32, `name` String COMMENT 'full name', `language` LowCardinality(String), `year_of_birth` Nullable(Int32), `country` String DEFAULT 'XX', `gender` String, `time_last_dumped` DateTime64(6))"}, rowsKept: true},
}

func mustRename(s string) plan.Rename {
	r, err := plan.ParseRename(s)
	if err != nil {
		panic(err)
	}
	return r
}

// yes confirms every likely rename, as a person answering y on a terminal.
type yes struct{}

func (yes) ConfirmRename(plan.RenameCandidate) (bool, error) { return true, nil }

// TestPlanMatrix plans each edit of the example project, applies the up
// section to a server holding the old schema, checks that the server then
// holds the desired schema, runs the down section and checks that the old
// schema is back.
func TestPlanMatrix(t *testing.T) {
	chtest.Exclusive(t, "plan_example")
	old, text := exampleSchema(t)
	if n := len(edits); n < 30 {
		t.Fatalf("%d edits; the matrix needs at least 30", n)
	}
	db := chtest.New(t)
	ctx := context.Background()
	exec := func(t *testing.T, sql string) {
		t.Helper()
		if err := db.Conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	cleanup := func() {
		for _, d := range allDatabases {
			_ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d+" SYNC")
		}
		_ = db.Conn.Exec(ctx, "DROP FUNCTION IF EXISTS "+testFunction)
	}
	t.Cleanup(cleanup)

	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			want := desired(t, e.apply(t, text))
			m, err := plan.Plan(old, want, e.opts)
			if e.wantErr != nil {
				if !errors.Is(err, e.wantErr) {
					t.Fatalf("Plan: got %v, want %v", err, e.wantErr)
				}
				golden(t, e.name, "-- error\n"+err.Error()+"\n")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Empty() {
				t.Fatal("the edit produced no change")
			}
			golden(t, e.name, m.Render())
			if e.warning != "" && !strings.Contains(strings.Join(m.Warnings, "\n"), e.warning) {
				t.Errorf("warnings %q lack %q", m.Warnings, e.warning)
			}

			cleanup()
			for _, st := range schema.Statements(old) {
				exec(t, st)
			}
			seed(t, exec)
			before := rowCounts(t, db, old)
			for _, st := range m.Up {
				exec(t, st.SQL)
			}
			assertLive(t, db, want, "after up")
			if e.rowsKept {
				after := rowCounts(t, db, want)
				for name, n := range before {
					if a, ok := after[name]; ok && a != n {
						t.Errorf("%s: %d rows before up, %d after", name, n, a)
					}
				}
			}
			for _, st := range m.Down {
				exec(t, st.SQL)
			}
			assertLive(t, db, old, "after down")
		})
	}
}

// seed inserts rows, so that rebuilds are seen to copy them.
func seed(t *testing.T, exec func(*testing.T, string)) {
	exec(t, "INSERT INTO plan_vector.tracking_logs (time, message, level) VALUES (now(), 'a', 'info'), (now(), 'b', 'error'), (now(), 'c', 'warn')")
	exec(t, "INSERT INTO plan_event_sink.user_profile (id, user_id, name, language, gender, country, time_last_dumped) VALUES (1, 10, 'Ann', 'en', 'f', 'FR', now64()), (2, 20, 'Bob', 'fr', 'm', 'BE', now64())")
	exec(t, "INSERT INTO plan_xapi.xapi_events_all (event_id, emission_time, event) VALUES (generateUUIDv4(), now64(), '{\"verb\": {\"id\": \"played\"}, \"object\": {\"id\": \"https://a/b/course-v1:Org+C+R\"}}')")
}

// rowCounts counts the rows of every MergeTree table of s.
func rowCounts(t *testing.T, db *chtest.DB, s *schema.Schema) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	for _, d := range s.Databases {
		for _, tb := range d.Tables {
			var n uint64
			if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM "+tb.ObjectName().String()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[tb.ObjectName().String()] = n
		}
	}
	return out
}

// assertLive reads the live schema and fails on any difference from want.
func assertLive(t *testing.T, db *chtest.DB, want *schema.Schema, when string) {
	t.Helper()
	live, _, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: allDatabases, Parser: parser.CreateReader{}})
	if err != nil {
		t.Fatal(err)
	}
	res := diff.Schemas(want, live, diff.WithoutAddedFunctions())
	if res.Drift() || len(res.Unverified) > 0 {
		var b strings.Builder
		_ = diff.WriteText(&b, res, diff.TextOptions{FromLabel: "desired", ToLabel: "live"})
		t.Fatalf("%s, the server differs:\n%s\nunverified: %v", when, b.String(), res.Unverified)
	}
}

// golden compares got with testdata/<name>.sql, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestDesiredRoundTrip checks that the example's canonical SQL, read back
// as a desired schema, is the expected schema: dump then plan is empty.
func TestDesiredRoundTrip(t *testing.T) {
	old, text := exampleSchema(t)
	m, err := plan.Plan(old, desired(t, text), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Empty() {
		t.Fatalf("a dumped schema plans changes:\n%s", m.Render())
	}
}
