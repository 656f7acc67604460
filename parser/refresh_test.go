package parser

import "testing"

// TestRefreshClause: the REFRESH clause as written and as the server
// stores it (each "want" is what ClickHouse 26.7 printed in
// system.tables.create_table_query for the written form).
func TestRefreshClause(t *testing.T) {
	tests := []struct{ written, want string }{
		{"EVERY 25 HOUR", "EVERY 1 DAY 1 HOUR"},
		{"EVERY 7 DAY", "EVERY 1 WEEK"},
		{"EVERY 8 DAY", "EVERY 1 WEEK 1 DAY"},
		{"EVERY 13 MONTH", "EVERY 1 YEAR 1 MONTH"},
		{"EVERY 12 MONTH", "EVERY 1 YEAR"},
		{"AFTER 3600 SECOND", "AFTER 1 HOUR"},
		{"AFTER 1 HOUR 90 MINUTE", "AFTER 2 HOUR 30 MINUTE"},
		{"AFTER 1 QUARTER", "AFTER 3 MONTH"},
		{"AFTER 1 SECOND 1 MINUTE", "AFTER 1 MINUTE 1 SECOND"},
		{"EVERY 1 DAY OFFSET 90 MINUTE", "EVERY 1 DAY OFFSET 1 HOUR 30 MINUTE"},
		{"AFTER 1 YEAR 1 WEEK", "AFTER 1 YEAR 1 WEEK"},
		{"AFTER 0 SECOND", "AFTER 0 SECOND"},
		{"AFTER 12 MONTH 60 SECOND", "AFTER 1 YEAR 1 MINUTE"},
		{"AFTER 100000 SECOND", "AFTER 1 DAY 3 HOUR 46 MINUTE 40 SECOND"},
		{"AFTER 1 HOUR RANDOMIZE FOR 90 MINUTE", "AFTER 1 HOUR RANDOMIZE FOR 1 HOUR 30 MINUTE"},
		{"after 1 s", "AFTER 1 SECOND"},
		{"AFTER 2 mi", "AFTER 2 MINUTE"},
		{"AFTER 1 SQL_TSI_DAY", "AFTER 1 DAY"},
		{"AFTER 1 qq", "AFTER 3 MONTH"},
		{"AFTER 1 yy", "AFTER 1 YEAR"},
		{"AFTER 1 hours", "AFTER 1 HOUR"},
		{"AFTER 0x10 SECOND", "AFTER 16 SECOND"},
		{"EVERY 1 DAY DEPENDS ON `my t`, db.`x y`", "EVERY 1 DAY DEPENDS ON d.`my t`, db.`x y`"},
		{"AFTER 1 HOUR SETTINGS refresh_retries = '3', all_replicas = true APPEND", "AFTER 1 HOUR SETTINGS refresh_retries = '3', all_replicas = true APPEND"},
	}
	for _, tt := range tests {
		toks := scanSQL(tt.written)
		r, end, err := readRefresh(tt.written, toks, 0)
		if err != nil {
			t.Errorf("%s: %v", tt.written, err)
			continue
		}
		if end != len(toks) {
			t.Errorf("%s: stopped at token %d of %d", tt.written, end, len(toks))
		}
		if got := qualifyRefresh(r, "d").String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.written, got, tt.want)
		}
	}
	for _, bad := range []struct {
		written string
		off     int
	}{
		{"AFTER 1 DAY 1 DAY", 12},   // the server: multiple Day components
		{"AFTER 1.5 HOUR", 6},       // the server: must be an integer
		{"SOMETIMES 1 HOUR", 0},     // EVERY or AFTER
		{"EVERY 1 HOUR OFFSET", 19}, // an interval after OFFSET
	} {
		_, _, err := readRefresh(bad.written, scanSQL(bad.written), 0)
		if err == nil || err.off != bad.off {
			t.Errorf("%s: error %v, want one at offset %d", bad.written, err, bad.off)
		}
	}
}
