package apply

import (
	"fmt"
	"strings"
	"testing"
)

// TestDestructiveStatements: which statements destroy data, and where,
// from the parser's model (drops, type changes, CREATE OR REPLACE) and the
// data statements' first words.
func TestDestructiveStatements(t *testing.T) {
	for _, tt := range []struct {
		sql  string
		want []string // "what db.table[.column][ partition]"
	}{
		{"DROP TABLE events", []string{"drop table s.events"}},
		{"DROP TABLE IF EXISTS x.events SYNC", []string{"drop table x.events"}},
		{"DROP VIEW x.mv", []string{"drop table x.mv"}},
		{"DROP DICTIONARY x.d", nil},
		{"DROP DATABASE IF EXISTS x", []string{"drop database x."}},
		{"CREATE OR REPLACE TABLE t (a UInt8) ENGINE = Log", []string{"replace table s.t"}},
		{"CREATE TABLE t (a UInt8) ENGINE = Log", nil},
		{"ALTER TABLE t DROP COLUMN a, ADD COLUMN b UInt8", []string{"drop column s.t.a"}},
		{"ALTER TABLE `x`.`t` MODIFY COLUMN a UInt16", []string{"modify column x.t.a"}},
		{"ALTER TABLE t MODIFY COLUMN a COMMENT 'c'", nil},
		{"ALTER TABLE t CLEAR COLUMN IF EXISTS `a b` IN PARTITION 2024", []string{"clear column s.t.a b"}},
		{"ALTER TABLE t DELETE WHERE id > 3", []string{"delete s.t"}},
		{"ALTER TABLE t ON CLUSTER c UPDATE x = 1 WHERE f(x, (1, 2)) , DROP PARTITION '2024-01'", []string{"update s.t", "drop partition s.t '2024-01'"}},
		{"ALTER TABLE t DROP PARTITION ID '202401' SETTINGS mutations_sync = 2", []string{"drop partition s.t '202401'"}},
		{"ALTER TABLE t DROP PART 'all_1_1_0'", []string{"drop partition s.t 'all_1_1_0'"}},
		{"ALTER TABLE t DETACH PARTITION 2024", nil},
		{"TRUNCATE TABLE IF EXISTS x.t", []string{"truncate x.t"}},
		{"TRUNCATE t", []string{"truncate s.t"}},
		{"DELETE FROM t WHERE 1", []string{"delete s.t"}},
		{"INSERT INTO t VALUES (1)", nil},
		{"/* c */ -- d\nTRUNCATE TABLE t", []string{"truncate s.t"}},
	} {
		effects, _ := destructive(tt.sql, "s")
		var got []string
		for _, e := range effects {
			s := fmt.Sprintf("%s %s.%s", e.what, e.table.Database, e.table.Name)
			if e.column != "" {
				s += "." + e.column
			}
			if e.partition != "" {
				s += " " + e.partition
			}
			got = append(got, s)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", tt.sql, got, tt.want)
		}
	}
}
