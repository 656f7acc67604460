package plan

import (
	"errors"
	"testing"
)

// TestWithCluster places the clause in every statement form the planner
// writes, where ClickHouse's grammar has it.
func TestWithCluster(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CREATE TABLE `db`.`t` (`x` UInt8) ENGINE = MergeTree ORDER BY x", "CREATE TABLE `db`.`t` ON CLUSTER c (`x` UInt8) ENGINE = MergeTree ORDER BY x"},
		{"CREATE OR REPLACE VIEW db.v AS SELECT 1", "CREATE OR REPLACE VIEW db.v ON CLUSTER c AS SELECT 1"},
		{"CREATE MATERIALIZED VIEW db.mv TO db.t (`x` UInt8) AS SELECT 1 AS x", "CREATE MATERIALIZED VIEW db.mv ON CLUSTER c TO db.t (`x` UInt8) AS SELECT 1 AS x"},
		{"CREATE OR REPLACE DICTIONARY db.d (`id` UInt64) PRIMARY KEY id SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)", "CREATE OR REPLACE DICTIONARY db.d ON CLUSTER c (`id` UInt64) PRIMARY KEY id SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)"},
		{"CREATE DATABASE `db` ENGINE = Atomic", "CREATE DATABASE `db` ON CLUSTER c ENGINE = Atomic"},
		{"CREATE FUNCTION `f` AS (x) -> x", "CREATE FUNCTION `f` ON CLUSTER c AS (x) -> x"},
		{"ALTER TABLE `db`.`t`\n    ADD COLUMN `y` UInt8", "ALTER TABLE `db`.`t` ON CLUSTER c\n    ADD COLUMN `y` UInt8"},
		{"ALTER DATABASE `db` MODIFY COMMENT 'x'", "ALTER DATABASE `db` ON CLUSTER c MODIFY COMMENT 'x'"},
		{"DROP TABLE `db`.`t`", "DROP TABLE `db`.`t` ON CLUSTER c"},
		{"DROP VIEW db.v", "DROP VIEW db.v ON CLUSTER c"},
		{"DROP DICTIONARY db.d", "DROP DICTIONARY db.d ON CLUSTER c"},
		{"DROP DATABASE `db`", "DROP DATABASE `db` ON CLUSTER c"},
		{"DROP FUNCTION `f`", "DROP FUNCTION `f` ON CLUSTER c"},
		{"RENAME TABLE `db`.`a` TO `db`.`b`", "RENAME TABLE `db`.`a` TO `db`.`b` ON CLUSTER c"},
		{"RENAME DICTIONARY db.a TO db.b", "RENAME DICTIONARY db.a TO db.b ON CLUSTER c"},
		{"EXCHANGE TABLES `db`.`a` AND `db`.`b`", "EXCHANGE TABLES `db`.`a` AND `db`.`b` ON CLUSTER c"},
	} {
		got, err := withCluster(tc.in, "c")
		if err != nil || got != tc.want {
			t.Errorf("withCluster(%q) = %q, %v\nwant %q", tc.in, got, err, tc.want)
		}
	}
	if got, _ := withCluster("DROP TABLE t", "my cluster"); got != "DROP TABLE t ON CLUSTER `my cluster`" {
		t.Errorf("a cluster name that needs quotes: %q", got)
	}
	for _, bad := range []string{"INSERT INTO t (x) SELECT x FROM u", "SELECT 1", "CREATE TABLE"} {
		if _, err := withCluster(bad, "c"); !errors.Is(err, ErrCluster) {
			t.Errorf("withCluster(%q): %v, want ErrCluster", bad, err)
		}
	}
}
