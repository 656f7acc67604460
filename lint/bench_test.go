package lint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

const benchMigrations = 10000

// benchFiles generates n migrations over 10 services, alternating the
// single-file and pair layouts, each a few statements with comments,
// strings and a template variable.
func benchFiles(n int) map[string][]byte {
	files := map[string][]byte{}
	for i := 0; i < n; i++ {
		svc := fmt.Sprintf("svc%02d", i%10)
		id := i/10 + 1
		up := fmt.Sprintf("-- migration %d\nCREATE TABLE IF NOT EXISTS ${DB}.t%d\n(\n    id UInt64,\n    name String DEFAULT 'a;b',\n    `order` Int32 COMMENT 'it''s'\n)\nENGINE = MergeTree\nORDER BY id;\n/* a /* nested */ comment */\nALTER TABLE ${DB}.t%d ADD COLUMN IF NOT EXISTS c%d Nullable(String);\n", i, i, i, i)
		down := fmt.Sprintf("DROP TABLE IF EXISTS ${DB}.t%d;\n", i)
		if i%2 == 0 {
			files[fmt.Sprintf("%s/%04d_m%d.sql", svc, id, i)] = []byte("-- +up\n" + up + "-- +down\n" + down)
		} else {
			files[fmt.Sprintf("%s/%04d_m%d.up.sql", svc, id, i)] = []byte(up)
			files[fmt.Sprintf("%s/%04d_m%d.down.sql", svc, id, i)] = []byte(down)
		}
	}
	return files
}

// benchmarkLoadSplitChecksum is the measured work: load the directory,
// render and split every section (with the check that no value changes
// the structure), compute the sum file and verify against it.
func benchmarkLoadSplitChecksum(b *testing.B, open func() (*migrations.Dir, error)) {
	vars := map[string]string{"DB": "analytics"}
	statements := 0
	for b.Loop() {
		d, err := open()
		if err != nil {
			b.Fatal(err)
		}
		statements = 0
		for _, m := range d.Migrations() {
			for _, sec := range []*migrations.Section{m.Up, m.Down} {
				_, stmts, err := parser.SplitSection(sec, vars)
				if err != nil {
					b.Fatal(err)
				}
				statements += len(stmts)
			}
		}
		d.Sealed = d.SumFile()
		if err := d.Verify(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(statements), "statements")
}

// BenchmarkLoadSplitChecksum measures 10,000 migrations in memory (MapFS)
// and on disk (os.DirFS). The target is under 1 s per run.
func BenchmarkLoadSplitChecksum(b *testing.B) {
	files := benchFiles(benchMigrations)
	b.Run("MapFS", func(b *testing.B) {
		fsys := fstest.MapFS{}
		for name, data := range files {
			fsys[name] = &fstest.MapFile{Data: data}
		}
		benchmarkLoadSplitChecksum(b, func() (*migrations.Dir, error) { return migrations.Open(fsys) })
	})
	b.Run("DirFS", func(b *testing.B) {
		root := b.TempDir()
		for name, data := range files {
			p := filepath.Join(root, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		benchmarkLoadSplitChecksum(b, func() (*migrations.Dir, error) { return migrations.Open(migrations.DirFS(root)) })
	})
}

// BenchmarkLint is the whole offline lint of the same 10,000 migrations,
// AfterShip parsing and the replay included, for reference.
func BenchmarkLint(b *testing.B) {
	fsys := fstest.MapFS{"init.sql": &fstest.MapFile{Data: []byte("CREATE DATABASE IF NOT EXISTS ${DB};\n")}}
	for name, data := range benchFiles(benchMigrations) {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	for b.Loop() {
		r, err := Lint(context.Background(), fsys, Options{Vars: map[string]string{"DB": "analytics"}})
		if err != nil {
			b.Fatal(err)
		}
		if r.Errors() != 0 {
			b.Fatalf("%d errors, first %+v", r.Errors(), r.Findings[0])
		}
	}
}

// BenchmarkLintCluster is BenchmarkLint on migrations that run ON CLUSTER
// with Replicated engines, so that the cluster rules replay the whole
// history on a model.
func BenchmarkLintCluster(b *testing.B) {
	fsys := fstest.MapFS{}
	for name, data := range benchFiles(benchMigrations) {
		data = bytes.ReplaceAll(data, []byte("ENGINE = MergeTree"), []byte("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')"))
		data = bytes.ReplaceAll(data, []byte("ADD COLUMN"), []byte("ON CLUSTER ${CLUSTER} ADD COLUMN"))
		fsys[name] = &fstest.MapFile{Data: data}
	}
	for b.Loop() {
		r, err := Lint(context.Background(), fsys, Options{Vars: map[string]string{"DB": "analytics", "CLUSTER": "c"}})
		if err != nil {
			b.Fatal(err)
		}
		if r.Errors() != 0 || r.Warnings() != 0 {
			b.Fatalf("%d errors, %d warnings, first %+v", r.Errors(), r.Warnings(), r.Findings[0])
		}
	}
}
