package parser

import (
	"strings"
	"testing"
)

func TestIdempotent(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		ok     bool
		reason string
	}{
		{"create database if not exists", "CREATE DATABASE IF NOT EXISTS db", true, ""},
		{"create database", "CREATE DATABASE db", false, "without IF NOT EXISTS"},
		{"create table if not exists", "CREATE TABLE IF NOT EXISTS db.t (x Int8) ENGINE = Log", true, ""},
		{"create or replace view", "CREATE OR REPLACE VIEW v AS SELECT 1", true, ""},
		{"create user", "CREATE USER u IDENTIFIED BY 'x'", false, "without IF NOT EXISTS"},
		{"create settings profile if not exists", "CREATE SETTINGS PROFILE IF NOT EXISTS p SETTINGS max_threads = 1", true, ""},
		{"create materialized view if not exists", "CREATE MATERIALIZED VIEW IF NOT EXISTS mv TO t AS SELECT 1", true, ""},
		{"drop if exists", "DROP TABLE IF EXISTS t", true, ""},
		{"drop", "DROP USER u", false, "without IF EXISTS"},
		{"grant", "GRANT SELECT ON db.* TO r", true, ""},
		{"revoke", "REVOKE SELECT ON db.* FROM r", true, ""},
		{"insert", "INSERT INTO t VALUES (1)", false, "rows again"},
		{"truncate", "TRUNCATE TABLE IF EXISTS t", false, "deletes data"},
		{"rename", "RENAME TABLE a TO b", false, "RENAME"},
		{"alter add if not exists", "ALTER TABLE t ADD COLUMN IF NOT EXISTS x Int8, DROP COLUMN IF EXISTS y SETTINGS alter_sync = 2", true, ""},
		{"alter on cluster", "ALTER TABLE t ON CLUSTER c ADD COLUMN IF NOT EXISTS x Int8", true, ""},
		{"alter add", "ALTER TABLE t ADD COLUMN x Int8", false, "ADD is not idempotent"},
		{"alter update", "ALTER TABLE t UPDATE x = 1 WHERE 1", false, "UPDATE"},
		{"alter modify", "ALTER TABLE t MODIFY COLUMN x Int16", true, ""},
		{"alter user", "ALTER USER u SETTINGS max_threads = 1", true, ""},
		{"unknown", "OPTIMIZE TABLE t FINAL", false, "cannot tell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Idempotent(Statement{Text: tt.sql, Pos: FileStart})
			if ok != tt.ok || !strings.Contains(reason, tt.reason) || (ok && reason != "") {
				t.Errorf("Idempotent = %v, %q; want %v, …%s…", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}
