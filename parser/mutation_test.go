package parser

import "testing"

func TestMutatedTable(t *testing.T) {
	tests := []struct {
		sql   string
		table string
		ok    bool
	}{
		{"ALTER TABLE db.t UPDATE x = 1 WHERE 1", "db.t", true},
		{"ALTER TABLE t DELETE WHERE id = 2", "t", true},
		{"alter table `my db`.`t` on cluster c materialize index i SETTINGS mutations_sync = 2", "my db.t", true},
		{"ALTER TABLE t ADD COLUMN a UInt8, MODIFY COLUMN b String", "t", true},
		{"ALTER TABLE t ADD COLUMN a UInt8 DEFAULT 1, DROP COLUMN b", "t", true},
		{"ALTER TABLE t CLEAR COLUMN c IN PARTITION 1", "t", true},
		{"ALTER TABLE t MODIFY TTL d + INTERVAL 1 DAY", "t", true},
		{"DELETE FROM db.t WHERE x = 1", "db.t", true},
		{"ALTER TABLE t ADD COLUMN a UInt8", "", false},
		{"ALTER TABLE t ADD COLUMN upd UInt8 DEFAULT (SELECT 1), COMMENT COLUMN a 'update'", "", false},
		{"ALTER TABLE t MODIFY SETTING ttl_only_drop_parts = 1", "", false},
		{"CREATE TABLE t (a UInt8) ENGINE = Log", "", false},
		{"INSERT INTO t SELECT 1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			q, ok := MutatedTable(Statement{Text: tt.sql, Pos: FileStart})
			if ok != tt.ok || (ok && q.String() != tt.table) {
				t.Errorf("MutatedTable = %q, %v; want %q, %v", q.String(), ok, tt.table, tt.ok)
			}
		})
	}
}

func TestSessionSettings(t *testing.T) {
	got, ok := SessionSettings(Statement{Text: "SET a = 1, b = 'x\\'y', c = -2 /* c */"})
	if !ok || got["a"] != "1" || got["b"] != "x'y" || got["c"] != "-2" || len(got) != 3 {
		t.Errorf("SessionSettings = %v, %v", got, ok)
	}
	for _, s := range []string{"SET ROLE r", "SET DEFAULT ROLE r TO u", "SELECT 1", "SET a"} {
		if _, ok := SessionSettings(Statement{Text: s}); ok {
			t.Errorf("SessionSettings(%q) ok", s)
		}
	}
}
