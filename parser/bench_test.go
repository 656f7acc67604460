package parser_test

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

// generatedMigrations returns n migrations over 10 services: each service
// creates tables, then adds, modifies, comments and drops columns, adds
// indexes, creates materialized views and renames tables.
func generatedMigrations(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	const services = 10
	for i := 0; i < n; i++ {
		svc := fmt.Sprintf("svc%02d", i%services)
		v := i/services + 1
		tbl := fmt.Sprintf("t%d", (v-1)/10)
		var up string
		switch (v - 1) % 10 {
		case 0:
			up = fmt.Sprintf("CREATE TABLE %s.%s (id UInt64, ts DateTime DEFAULT now(), name String, v Nullable(Int32)) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(ts) ORDER BY (id, ts) TTL ts + INTERVAL 1 YEAR;", svc, tbl)
		case 1:
			up = fmt.Sprintf("ALTER TABLE %s.%s ADD COLUMN c1 LowCardinality(String) DEFAULT 'x' AFTER name, ADD COLUMN c2 Decimal(10,2) CODEC(ZSTD(3));", svc, tbl)
		case 2:
			up = fmt.Sprintf("ALTER TABLE %s.%s MODIFY COLUMN v Nullable(Int64) COMMENT 'widened';", svc, tbl)
		case 3:
			up = fmt.Sprintf("ALTER TABLE %s.%s ADD INDEX ix_name name TYPE bloom_filter(0.01) GRANULARITY 4;", svc, tbl)
		case 4:
			up = fmt.Sprintf("CREATE TABLE %s.%s_agg (name String, n UInt64) ENGINE = SummingMergeTree ORDER BY name;", svc, tbl)
		case 5:
			up = fmt.Sprintf("CREATE MATERIALIZED VIEW %s.%s_mv TO %s.%s_agg AS SELECT name, count() AS n FROM %s.%s GROUP BY name;", svc, tbl, svc, tbl, svc, tbl)
		case 6:
			up = fmt.Sprintf("ALTER TABLE %s.%s RENAME COLUMN c1 TO c1_renamed, COMMENT COLUMN c2 'money';", svc, tbl)
		case 7:
			up = fmt.Sprintf("INSERT INTO %s.%s (id, name) VALUES (1, 'a');\nOPTIMIZE TABLE %s.%s FINAL;", svc, tbl, svc, tbl)
		case 8:
			up = fmt.Sprintf("ALTER TABLE %s.%s DROP COLUMN c2, MODIFY SETTING merge_with_ttl_timeout = 3600;", svc, tbl)
		case 9:
			up = fmt.Sprintf("RENAME TABLE %s.%s_agg TO %s.%s_totals;", svc, tbl, svc, tbl)
		}
		if v == 1 {
			up = fmt.Sprintf("CREATE DATABASE %s;\n", svc) + up
		}
		fsys[fmt.Sprintf("%s/%05d_m.sql", svc, v)] = &fstest.MapFile{Data: []byte("-- +up\n" + up + "\n-- +down\n-- no-op\n")}
	}
	return fsys
}

func TestGeneratedMigrationsReplay(t *testing.T) {
	d, err := migrations.Open(generatedMigrations(1000))
	if err != nil {
		t.Fatal(err)
	}
	s, findings, err := parser.ExpectedSchema(d, parser.ExpectedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) > 0 {
		t.Fatalf("findings: %v", findings)
	}
	db, _ := s.Database("svc03")
	tb, ok := db.Table("t5")
	if !ok || len(tb.Columns) != 5 || tb.Columns[3].Name != "c1_renamed" {
		t.Fatalf("svc03.t5 = %+v", tb)
	}
	if _, ok := db.Table("t5_totals"); !ok {
		t.Error("svc03.t5_totals missing")
	}
}

// BenchmarkExpectedSchema10k loads and replays 10,000 generated migrations.
// The target is under one second per replay.
func BenchmarkExpectedSchema10k(b *testing.B) {
	fsys := generatedMigrations(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := migrations.Open(fsys)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := parser.ExpectedSchema(d, parser.ExpectedOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
