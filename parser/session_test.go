package parser

import (
	"maps"
	"testing"
)

func TestSessionEffectOf(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		want      SessionEffect
	}{
		{"create table", "CREATE TABLE t (x UInt8) ENGINE = Memory", SessionEffect{}},
		{"query settings end with the query", "INSERT INTO t SETTINGS async_insert = 1 VALUES (1)", SessionEffect{}},
		{"alter", "ALTER TABLE t ADD COLUMN y UInt8 SETTINGS mutations_sync = 2", SessionEffect{}},
		{"use", "USE d2", SessionEffect{Kind: SessionUse, Use: "d2"}},
		{"use quoted, comment first", "/* x */ -- y\nUSE `my db`", SessionEffect{Kind: SessionUse, Use: "my db"}},
		{"set", "SET allow_deprecated_syntax_for_merge_tree = 1, x = 'a'", SessionEffect{Kind: SessionSet,
			Settings: map[string]string{"allow_deprecated_syntax_for_merge_tree": "1", "x": "a"}}},
		{"set role", "SET ROLE admin", SessionEffect{Kind: SessionSet}},
		{"set default role is the user's", "SET DEFAULT ROLE admin TO bob", SessionEffect{}},
		{"set transaction snapshot", "SET TRANSACTION SNAPSHOT 1", SessionEffect{Kind: SessionOther}},
		{"begin", "BEGIN TRANSACTION", SessionEffect{Kind: SessionOther}},
		{"unknown statement", "FROBNICATE", SessionEffect{Kind: SessionOther}},
		{"temporary table", "CREATE TEMPORARY TABLE IF NOT EXISTS tmp (x UInt8)", SessionEffect{Kind: SessionTemporary, Temporary: "tmp"}},
		{"or replace temporary", "CREATE OR REPLACE TEMPORARY TABLE tmp AS SELECT 1", SessionEffect{Kind: SessionTemporary, Temporary: "tmp"}},
		{"drop temporary", "DROP TEMPORARY TABLE IF EXISTS tmp", SessionEffect{Kind: SessionTemporary, Dropped: "tmp"}},
		{"drop unqualified", "DROP TABLE tmp", SessionEffect{Dropped: "tmp"}},
		{"drop qualified", "DROP TABLE d.tmp", SessionEffect{}},
		{"truncate temporary", "TRUNCATE TEMPORARY TABLE tmp", SessionEffect{Kind: SessionTemporary}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SessionEffectOf(Statement{Text: tc.sql})
			if got.Kind != tc.want.Kind || got.Use != tc.want.Use || got.Temporary != tc.want.Temporary ||
				got.Dropped != tc.want.Dropped || !maps.Equal(got.Settings, tc.want.Settings) {
				t.Errorf("SessionEffectOf(%q) = %+v, want %+v", tc.sql, got, tc.want)
			}
		})
	}
}
