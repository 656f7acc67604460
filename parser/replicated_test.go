package parser

import (
	"fmt"
	"testing"

	"github.com/chschema/chschema/schema"
)

// TestOnClusterFindsEveryClause runs OnCluster on every statement the ON
// CLUSTER tests prove valid ClickHouse (TestOnClusterCasesAreValidClickHouse),
// in every spelling of the clause, and on their local forms: the clause is
// found, with its cluster, exactly where it is.
func TestOnClusterFindsEveryClause(t *testing.T) {
	for _, tc := range onClusterCases {
		t.Run(tc.name, func(t *testing.T) {
			if name, ok := OnCluster(Statement{Text: fmt.Sprintf(tc.sql, ""), Pos: FileStart}); ok {
				t.Errorf("local form: OnCluster = %q, true; want none", name)
			}
			for _, cl := range onClusterClauses {
				sql := fmt.Sprintf(tc.sql, cl.clause)
				if name, ok := OnCluster(Statement{Text: sql, Pos: FileStart}); !ok || name != cl.cluster {
					t.Errorf("%s: OnCluster = %q, %v; want %q", sql, name, ok, cl.cluster)
				}
			}
		})
	}
	for _, sql := range []string{
		"SELECT 1 FROM a JOIN b ON cluster = b.c",
		"CREATE VIEW v AS SELECT * FROM a JOIN b ON cluster = 'x'",
		"INSERT INTO t SELECT * FROM a JOIN b ON cluster = 1",
		"ALTER TABLE t UPDATE x = 1 WHERE cluster = 'on'",
	} {
		if name, ok := OnCluster(Statement{Text: sql, Pos: FileStart}); ok {
			t.Errorf("%s: OnCluster = %q, true; want none (a column named cluster)", sql, name)
		}
	}
}

// TestReplicatedWrite: the statements a Replicated table passes on to its
// other replicas name their table; the local ones, and those that are not
// replicated at all, do not.
func TestReplicatedWrite(t *testing.T) {
	tests := []struct {
		sql   string
		table string
	}{
		{"INSERT INTO db.t VALUES (1)", "db.t"},
		{"INSERT INTO TABLE t (x) SELECT 1", "t"},
		{"insert into `my db`.`t` format Values (1)", "my db.t"},
		{"ALTER TABLE t ADD COLUMN y UInt8", "t"},
		{"ALTER TABLE db.t ON CLUSTER c DROP COLUMN y", "db.t"},
		{"ALTER TABLE t UPDATE x = 1 WHERE 1", "t"},
		{"ALTER TABLE t DROP PARTITION tuple()", "t"},
		{"ALTER TABLE t MODIFY SETTING index_granularity = 4096, ADD COLUMN y UInt8", "t"},
		{"ALTER TABLE t MODIFY TTL d + INTERVAL 1 DAY", "t"},
		{"ALTER TABLE t MODIFY ORDER BY (x, y)", "t"},
		{"OPTIMIZE TABLE db.t FINAL", "db.t"},
		{"TRUNCATE TABLE IF EXISTS t", "t"},
		{"TRUNCATE t", "t"},
		{"DELETE FROM db.t WHERE x = 1", "db.t"},
		// Local to each replica, or not replicated.
		{"ALTER TABLE t MODIFY SETTING index_granularity = 4096", ""},
		{"ALTER TABLE t RESET SETTING ttl_only_drop_parts", ""},
		{"ALTER TABLE t MODIFY COMMENT 'c'", ""},
		{"ALTER TABLE t FREEZE", ""},
		{"ALTER TABLE t FETCH PARTITION 1 FROM '/clickhouse/tables/t'", ""},
		{"INSERT INTO FUNCTION remote('h', db.t) VALUES (1)", ""},
		{"TRUNCATE DATABASE db", ""},
		{"CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY x", ""},
		{"DROP TABLE t SYNC", ""},
		{"RENAME TABLE t TO u", ""},
		{"DETACH TABLE t", ""},
		{"ATTACH TABLE t", ""},
		{"SELECT 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			q, ok := ReplicatedWrite(Statement{Text: tt.sql, Pos: FileStart})
			if ok != (tt.table != "") || (ok && q.String() != tt.table) {
				t.Errorf("ReplicatedWrite = %q, %v; want %q", q.String(), ok, tt.table)
			}
		})
	}
}

// TestKeeperMacrosUnfolded: a Replicated table's {database} and {table}
// macros are replaced with its own names on CREATE, as the server stores
// them; ATTACH keeps them, and other macros stay.
func TestKeeperMacrosUnfolded(t *testing.T) {
	tests := []struct{ sql, path, replica string }{
		{"CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{database}/{table}', '{replica}') ORDER BY x", "'/clickhouse/tables/db/t'", "'{replica}'"},
		{"CREATE TABLE other.`my t` (x UInt8) ENGINE = ReplicatedReplacingMergeTree('/p/{shard}/{database}.{table}/{uuid}', '{replica}_{table}') ORDER BY x", "'/p/{shard}/other.my t/{uuid}'", "'{replica}_my t'"},
		{"ATTACH TABLE t (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{database}/{table}', '{replica}') ORDER BY x", "'/clickhouse/tables/{database}/{table}'", "'{replica}'"},
	}
	for _, tt := range tests {
		conv, err := Convert(tt.sql, "db")
		if err != nil {
			t.Fatal(err)
		}
		var params []string
		for _, ch := range conv.Changes {
			if add, ok := ch.(*schema.AddTable); ok {
				for _, p := range add.T.Storage.Engine.Params {
					params = append(params, string(p))
				}
			}
		}
		if len(params) != 2 || params[0] != tt.path || params[1] != tt.replica {
			t.Errorf("%s: engine parameters %v, want [%s %s]", tt.sql, params, tt.path, tt.replica)
		}
	}
}
