package parser

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// onClusterCases are statements of every kind that ClickHouse accepts ON
// CLUSTER, each with %s where the clause goes. The local form is the
// statement with %s removed.
var onClusterCases = []struct{ name, sql string }{
	// Databases.
	{"create database", "CREATE DATABASE d%s"},
	{"create database engine comment", "CREATE DATABASE IF NOT EXISTS d%s ENGINE = Atomic COMMENT 'x'"},
	{"alter database comment", "ALTER DATABASE d%s MODIFY COMMENT 'x'"},
	{"rename database", "RENAME DATABASE d TO e%s"},
	{"drop database", "DROP DATABASE IF EXISTS d%s SYNC"},
	// Tables.
	{"create table", "CREATE TABLE t%s (x UInt8, y String DEFAULT 'a' COMMENT 'c' CODEC(ZSTD(3))) ENGINE = MergeTree ORDER BY x TTL toDate('2000-01-01') + toIntervalYear(1) SETTINGS index_granularity = 1024"},
	{"create replicated table", "CREATE TABLE IF NOT EXISTS db.t%s (x UInt8) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY x"},
	{"create or replace table", "CREATE OR REPLACE TABLE t%s (x UInt8) ENGINE = Memory"},
	{"create table as", "CREATE TABLE t2%s AS t ENGINE = Distributed('c', 'db', 't', rand())"},
	{"create table gap forms", "CREATE TABLE t%s (x UInt8, `order` UInt8 EPHEMERAL, INDEX i x TYPE minmax, CONSTRAINT k CHECK x > 0) ENGINE = MergeTree ORDER BY x"},
	{"alter add column", "ALTER TABLE t%s ADD COLUMN IF NOT EXISTS y String AFTER x"},
	{"alter several", "ALTER TABLE db.t%s DROP COLUMN y, MODIFY COLUMN x UInt16, RENAME COLUMN z TO w"},
	{"alter comment column", "ALTER TABLE t%s COMMENT COLUMN x 'c'"},
	{"alter modify comment", "ALTER TABLE t%s MODIFY COMMENT 'c'"},
	{"alter index", "ALTER TABLE t%s ADD INDEX i x TYPE minmax GRANULARITY 1"},
	{"alter projection", "ALTER TABLE t%s ADD PROJECTION p (SELECT x ORDER BY x)"},
	{"alter constraint", "ALTER TABLE t%s ADD CONSTRAINT k CHECK x > 0"},
	{"alter ttl", "ALTER TABLE t%s MODIFY TTL toDate('2000-01-01') + INTERVAL 1 YEAR"},
	{"alter setting", "ALTER TABLE t%s MODIFY SETTING index_granularity = 4096"},
	{"alter order by", "ALTER TABLE t%s ADD COLUMN y UInt8, MODIFY ORDER BY (x, y)"},
	{"alter update", "ALTER TABLE t%s UPDATE x = 1 WHERE 1"},
	{"alter delete", "ALTER TABLE t%s DELETE WHERE x = 1"},
	{"alter partition", "ALTER TABLE t%s DROP PARTITION tuple()"},
	{"alter materialize", "ALTER TABLE t%s MATERIALIZE INDEX i"},
	{"drop table", "DROP TABLE IF EXISTS t%s SYNC"},
	{"rename table", "RENAME TABLE t TO u, db.a TO db.b%s"},
	{"exchange tables", "EXCHANGE TABLES t AND u%s"},
	{"truncate", "TRUNCATE TABLE IF EXISTS t%s"},
	{"detach", "DETACH TABLE t%s"},
	{"attach", "ATTACH TABLE t%s"},
	{"optimize", "OPTIMIZE TABLE t%s FINAL"},
	// Views.
	{"create view", "CREATE VIEW v%s AS SELECT 1 AS x"},
	{"create materialized view to", "CREATE MATERIALIZED VIEW mv%s TO t AS SELECT 1 AS x"},
	{"create materialized view inner", "CREATE MATERIALIZED VIEW mv%s ENGINE = MergeTree ORDER BY x AS SELECT 1 AS x"},
	{"alter modify query", "ALTER TABLE mv%s MODIFY QUERY SELECT 2 AS x"},
	{"drop view", "DROP VIEW IF EXISTS v%s"},
	// Dictionaries.
	{"create dictionary", "CREATE DICTIONARY d%s (id UInt64, v String DEFAULT '') PRIMARY KEY id SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)"},
	{"drop dictionary", "DROP DICTIONARY IF EXISTS d%s"},
	{"rename dictionary", "RENAME DICTIONARY d TO e%s"},
	{"exchange dictionaries", "EXCHANGE DICTIONARIES d AND e%s"},
	// Functions.
	{"create function", "CREATE FUNCTION f%s AS (x) -> x + 1"},
	{"create or replace function", "CREATE OR REPLACE FUNCTION f%s AS (x, y) -> x * y"},
	{"drop function", "DROP FUNCTION IF EXISTS f%s"},
	// Access control.
	{"create user", "CREATE USER IF NOT EXISTS u%s IDENTIFIED WITH no_password"},
	{"alter user", "ALTER USER u%s DEFAULT ROLE r"},
	{"drop user", "DROP USER IF EXISTS u%s"},
	{"create role", "CREATE ROLE IF NOT EXISTS r%s"},
	{"drop role", "DROP ROLE IF EXISTS r%s"},
	{"create settings profile", "CREATE SETTINGS PROFILE IF NOT EXISTS p%s SETTINGS max_threads = 2"},
	{"create quota", "CREATE QUOTA IF NOT EXISTS q%s FOR INTERVAL 1 hour MAX queries = 100 TO r"},
	{"create row policy", "CREATE ROW POLICY IF NOT EXISTS p%s ON db.t FOR SELECT USING x > 0 TO r"},
	{"grant", "GRANT%s SELECT ON db.* TO r"},
	{"grant role", "GRANT%s r TO u"},
	{"revoke", "REVOKE%s SELECT ON db.* FROM r"},
	// Other statements without a schema effect.
	{"system", "SYSTEM RELOAD DICTIONARIES%s"},
}

// onClusterClauses are the spellings of the clause the cases are tried
// with, and the cluster name each records.
var onClusterClauses = []struct{ clause, cluster string }{
	{" ON CLUSTER c", "c"},
	{" ON CLUSTER '{cluster}'", "{cluster}"},
	{" ON CLUSTER `my-cluster`", "my-cluster"},
}

// TestOnClusterIsLocalForm proves that a statement with ON CLUSTER is
// modelled exactly as its local form: the same changes (or the same "no
// effect", or the same unsupported parts), with the cluster recorded where
// the converter reads it; and that init.sql's idempotency check and the
// mutation wait of apply see it as its local form.
func TestOnClusterIsLocalForm(t *testing.T) {
	for _, tc := range onClusterCases {
		t.Run(tc.name, func(t *testing.T) {
			local := fmt.Sprintf(tc.sql, "")
			want, err := Convert(local, "db")
			if err != nil {
				t.Fatalf("local form %q: %v", local, err)
			}
			for _, u := range want.Unsupported {
				if u.Unreadable {
					t.Fatalf("local form %q is unreadable: %s", local, u.Reason)
				}
			}
			for _, cl := range onClusterClauses {
				sql := fmt.Sprintf(tc.sql, cl.clause)
				if _, err := Parse(Statement{Text: sql, Pos: FileStart}); err != nil {
					t.Errorf("%q does not parse: %v", sql, err)
				}
				got, err := Convert(sql, "db")
				if err != nil {
					t.Errorf("%q: %v", sql, err)
					continue
				}
				if diff := cmp.Diff(want.Changes, got.Changes); diff != "" {
					t.Errorf("%q: changes differ from the local form's (-local +cluster):\n%s", sql, diff)
				}
				if got.NoEffect != want.NoEffect || got.Use != want.Use {
					t.Errorf("%q: no effect %v, use %q; local form: %v, %q", sql, got.NoEffect, got.Use, want.NoEffect, want.Use)
				}
				if len(got.Unsupported) != len(want.Unsupported) {
					t.Errorf("%q: unsupported %v; local form: %v", sql, got.Unsupported, want.Unsupported)
				}
				// init.sql's idempotency check and apply's mutation wait read
				// the statement too.
				wantIdem, _ := Idempotent(Statement{Text: local, Pos: FileStart})
				if gotIdem, why := Idempotent(Statement{Text: sql, Pos: FileStart}); gotIdem != wantIdem {
					t.Errorf("%q: idempotent %v (%s); local form: %v", sql, gotIdem, why, wantIdem)
				}
				wantMut, wantOK := MutatedTable(Statement{Text: local, Pos: FileStart})
				if gotMut, gotOK := MutatedTable(Statement{Text: sql, Pos: FileStart}); gotOK != wantOK || gotMut.String() != wantMut.String() {
					t.Errorf("%q: mutated table %v %v; local form: %v %v", sql, gotMut, gotOK, wantMut, wantOK)
				}
				if len(want.Changes) > 0 && got.OnCluster != cl.cluster {
					t.Errorf("%q: OnCluster = %q, want %q", sql, got.OnCluster, cl.cluster)
				}
			}
		})
	}
}

// TestOnClusterCasesAreValidClickHouse checks every ON CLUSTER case, in every
// spelling, and its local form with the server's parser (EXPLAIN AST): the
// cases are ClickHouse, not what chschema thinks ClickHouse is.
func TestOnClusterCasesAreValidClickHouse(t *testing.T) {
	db := chtest.New(t)
	sp, err := NewServerParser(db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range onClusterCases {
		forms := []string{fmt.Sprintf(tc.sql, "")}
		for _, cl := range onClusterClauses {
			forms = append(forms, fmt.Sprintf(tc.sql, cl.clause))
		}
		for _, sql := range forms {
			if err := sp.Check(context.Background(), Statement{Text: sql, Pos: FileStart}); err != nil {
				t.Errorf("%s: the server's parser rejects %q: %v", tc.name, sql, err)
			}
		}
		if !strings.Contains(tc.sql, "%s") {
			t.Errorf("%s: no place for the clause", tc.name)
		}
	}
}
