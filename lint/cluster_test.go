package lint

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// warningsOf renders the warning findings as "rule file:line:col".
func warningsOf(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity == Warning {
			out = append(out, fmt.Sprintf("%s %s:%d:%d", f.Rule, f.File, f.Line, f.Col))
		}
	}
	return out
}

// up makes a migration file with the given up statements and a no-op down.
func up(stmts ...string) string {
	return "-- +up\n" + strings.Join(stmts, ";\n") + ";\n-- +down\n-- no-op\n"
}

const replicatedEngine = "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY x"

// TestClusterRules has positive and negative cases for every cluster rule.
// Each finding is a warning at its file:line:col, and never an error.
func TestClusterRules(t *testing.T) {
	distributed := "CREATE TABLE db.l (x UInt8) ENGINE = MergeTree ORDER BY x;\nCREATE TABLE db.d AS db.l ENGINE = Distributed(c, db, l, rand());\n"
	tests := []struct {
		name  string
		files map[string]string
		vars  map[string]string
		want  []string
	}{
		// non-replicated-on-cluster
		{name: "MergeTree ON CLUSTER", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER c (x UInt8) ENGINE = MergeTree ORDER BY x")},
			want: []string{"non-replicated-on-cluster s/0001_a.sql:2:48"}},
		{name: "ReplacingMergeTree in a migration with ON CLUSTER elsewhere", files: map[string]string{
			"s/0001_a.sql": up("CREATE DATABASE IF NOT EXISTS db ON CLUSTER c", "CREATE TABLE db.t (x UInt8)\n  ENGINE = ReplacingMergeTree ORDER BY x")},
			want: []string{"non-replicated-on-cluster s/0001_a.sql:4:12"}},
		{name: "MergeTree with an empty ${ON_CLUSTER}", vars: map[string]string{"ON_CLUSTER": ""}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ${ON_CLUSTER} (x UInt8) ENGINE = MergeTree ORDER BY x")},
			want: []string{"non-replicated-on-cluster s/0001_a.sql:2:49"}},
		{name: "materialized view's inner MergeTree ON CLUSTER", files: map[string]string{
			"s/0001_a.sql": up("CREATE MATERIALIZED VIEW mv ON CLUSTER c ENGINE = SummingMergeTree ORDER BY x AS SELECT 1 AS x")},
			want: []string{"non-replicated-on-cluster s/0001_a.sql:2:51"}},
		{name: "ReplicatedMergeTree ON CLUSTER", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER c (x UInt8) ENGINE = " + replicatedEngine)}},
		{name: "MergeTree without ON CLUSTER", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x"),
			"s/0002_b.sql": up("CREATE TABLE u ON CLUSTER c (x UInt8) ENGINE = Memory")}},
		{name: "engine from a variable", vars: map[string]string{"ENGINE": "MergeTree"}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER c (x UInt8) ENGINE = ${ENGINE} ORDER BY x")}},

		// on-cluster-in-replicated-database
		{name: "ON CLUSTER in a Replicated database", files: map[string]string{
			"init.sql": "CREATE DATABASE IF NOT EXISTS r ON CLUSTER c ENGINE = Replicated('/clickhouse/databases/r', '{shard}', '{replica}');\n",
			"s/0001_a.sql": up("CREATE TABLE r.t ON CLUSTER c (x UInt8) ENGINE = Memory",
				"ALTER TABLE r.t ON CLUSTER 'c' ADD COLUMN y UInt8",
				"ALTER TABLE r.t ON CLUSTER c DELETE WHERE x = 1",
				"CREATE TABLE r.u (x UInt8) ENGINE = Memory",
				"CREATE DATABASE IF NOT EXISTS a ON CLUSTER c",
				"CREATE TABLE a.t ON CLUSTER c (x UInt8) ENGINE = Memory",
				"USE r",
				"DROP TABLE t ON CLUSTER c SYNC"),
		},
			want: []string{"on-cluster-in-replicated-database s/0001_a.sql:2:29", "on-cluster-in-replicated-database s/0001_a.sql:3:28",
				"on-cluster-in-replicated-database s/0001_a.sql:4:28", "on-cluster-in-replicated-database s/0001_a.sql:9:25"}},

		// hardcoded-cluster
		{name: "literal cluster beside a variable", vars: map[string]string{"CLUSTER": "prod"}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER ${CLUSTER} (x UInt8) ENGINE = Memory"),
			"s/0002_b.sql": up("DROP TABLE t ON CLUSTER prod", "CREATE TABLE d ON CLUSTER '{cluster}' (x UInt8) ENGINE = Distributed('prod', db, t)")},
			want: []string{"hardcoded-cluster s/0002_b.sql:2:25", "hardcoded-cluster s/0002_b.sql:3:70"}},
		{name: "literal cluster beside an empty ${ON_CLUSTER}", vars: map[string]string{"ON_CLUSTER": ""}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ${ON_CLUSTER} (x UInt8) ENGINE = Memory", "ALTER TABLE t ON CLUSTER `prod` ADD COLUMN y UInt8")},
			want: []string{"hardcoded-cluster s/0001_a.sql:3:26"}},
		{name: "${ON_CLUSTER} holding the clause", vars: map[string]string{"ON_CLUSTER": "ON CLUSTER prod"}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ${ON_CLUSTER} (x UInt8) ENGINE = Memory")}},
		{name: "every cluster written out", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER prod (x UInt8) ENGINE = Memory", "DROP TABLE t ON CLUSTER prod")}},
		{name: "a quoted variable, as plan --cluster writes it", vars: map[string]string{"CLUSTER": "prod"}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER `${CLUSTER}` (x UInt8) ENGINE = Memory", "DROP TABLE t ON CLUSTER '${CLUSTER}'", "ALTER TABLE t ON CLUSTER prod DELETE WHERE 1")},
			want: []string{"hardcoded-cluster s/0001_a.sql:4:26"}},
		{name: "macro beside a variable", vars: map[string]string{"CLUSTER": "prod"}, files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ON CLUSTER ${CLUSTER} (x UInt8) ENGINE = Memory", "DROP TABLE t ON CLUSTER '{cluster}'")}},

		// replicated-drop-without-sync
		{name: "drop without SYNC, then recreate", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = " + replicatedEngine),
			"s/0002_b.sql": up("DROP TABLE t", "CREATE TABLE t (x UInt8, y UInt8) ENGINE = "+replicatedEngine)},
			want: []string{"replicated-drop-without-sync s/0002_b.sql:2:1"}},
		{name: "drop without SYNC, recreated in a later migration", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE db.t (x UInt8) ENGINE = ReplicatedMergeTree('/t', 'r') ORDER BY x", "DROP TABLE IF EXISTS db.t"),
			"s/0002_b.sql": up("CREATE TABLE db.u (x UInt8) ENGINE = ReplicatedMergeTree('/t', 'r') ORDER BY x")},
			want: []string{"replicated-drop-without-sync s/0001_a.sql:3:1"}},
		{name: "drop with SYNC", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = "+replicatedEngine, "DROP TABLE t SYNC", "CREATE TABLE t (x UInt8) ENGINE = "+replicatedEngine)}},
		{name: "drop of a table whose path has {uuid}", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}') ORDER BY x",
				"DROP TABLE t", "CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}') ORDER BY x")}},
		{name: "drop of a table with the default path", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree ORDER BY x", "DROP TABLE t", "CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree ORDER BY x")}},
		{name: "drop without recreate, and a new name", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = "+replicatedEngine, "DROP TABLE t", "CREATE TABLE t2 (x UInt8) ENGINE = "+replicatedEngine)}},
		{name: "drop of a non-replicated table", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x", "DROP TABLE t", "CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x")}},

		// create-as-select
		{name: "CREATE TABLE AS SELECT and POPULATE", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t ENGINE = MergeTree ORDER BY x AS SELECT 1 AS x",
				"CREATE MATERIALIZED VIEW mv ENGINE = MergeTree ORDER BY x\nPOPULATE AS SELECT x FROM t")},
			want: []string{"create-as-select s/0001_a.sql:2:49", "create-as-select s/0001_a.sql:4:1"}},
		{name: "copies, views and TO views", files: map[string]string{
			"s/0001_a.sql": up("CREATE TABLE t (x UInt8) ENGINE = Memory", "CREATE TABLE t2 AS t", "CREATE VIEW v AS SELECT x FROM t",
				"CREATE MATERIALIZED VIEW mv TO t2 AS SELECT x FROM t", "INSERT INTO t2 SELECT * FROM t")}},

		// distributed-alter-order
		{name: "Distributed table altered before its local table on ADD", files: map[string]string{
			"s/0001_a.sql": up(distributed+"ALTER TABLE db.d ADD COLUMN y UInt8", "ALTER TABLE db.l ADD COLUMN y UInt8")},
			want: []string{"distributed-alter-order s/0001_a.sql:4:1"}},
		{name: "local table first on ADD", files: map[string]string{
			"s/0001_a.sql": up(distributed+"ALTER TABLE db.l ADD COLUMN y UInt8", "ALTER TABLE db.d ADD COLUMN y UInt8")}},
		{name: "Distributed table altered after its local table on DROP", files: map[string]string{
			"s/0001_a.sql": up(distributed+"ALTER TABLE db.l ADD COLUMN y UInt8, ADD COLUMN z UInt8", "ALTER TABLE db.d ADD COLUMN y UInt8"),
			"s/0002_b.sql": up("ALTER TABLE db.l DROP COLUMN y", "ALTER TABLE db.d DROP COLUMN y")},
			want: []string{"distributed-alter-order s/0002_b.sql:2:1"}},
		{name: "Distributed table first on DROP, currentDatabase()", files: map[string]string{
			"s/0001_a.sql": up("USE db", "CREATE TABLE l (x UInt8, y UInt8) ENGINE = MergeTree ORDER BY x",
				"CREATE TABLE d AS l ENGINE = Distributed('c', currentDatabase(), 'l')", "ALTER TABLE d DROP COLUMN y", "ALTER TABLE l DROP COLUMN y")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range tt.files {
				files[k] = v
			}
			if _, ok := files["init.sql"]; !ok {
				files["init.sql"] = "CREATE DATABASE IF NOT EXISTS db;\n"
			}
			r, err := Lint(context.Background(), mapFS(files), Options{Vars: tt.vars})
			if err != nil {
				t.Fatal(err)
			}
			if errs := errorsOf(r); len(errs) > 0 {
				t.Fatalf("errors: %v\n%+v", errs, r.Findings)
			}
			if diff := cmp.Diff(tt.want, warningsOf(r)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\nfindings: %+v", diff, r.Findings)
			}
		})
	}
}

// TestWarningsDoNotFail: a report with only warnings has no errors, and
// every format says warning.
func TestWarningsDoNotFail(t *testing.T) {
	r, err := Lint(context.Background(), mapFS(map[string]string{
		"0001_a.sql": up("CREATE TABLE t ENGINE = Memory AS SELECT 1 AS x"),
	}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors() != 0 || r.Warnings() != 1 || r.Infos() != 0 {
		t.Fatalf("errors %d, warnings %d, infos %d: %+v", r.Errors(), r.Warnings(), r.Infos(), r.Findings)
	}
	for format, want := range map[Format]string{
		Text:   "0001_a.sql:2:35: warning create-as-select: ",
		JSON:   `"severity": "warning"`,
		GitHub: "::warning file=0001_a.sql,line=2,col=35,title=create-as-select::",
	} {
		var b strings.Builder
		if err := r.Write(&b, format, ""); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s output lacks %q:\n%s", format, want, b.String())
		}
		if format == JSON && !strings.Contains(b.String(), `"warnings": 1`) {
			t.Errorf("json output lacks the warning count:\n%s", b.String())
		}
	}
}
