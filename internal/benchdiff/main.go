// Command benchdiff measures chschema diff end to end on a large schema: it
// creates a dedicated database with many tables on a server, then times
// introspection (schema.ReadLive) plus the diff against the expected schema,
// and prints the figures and the number of queries sent. It drops the
// database afterwards. Run it through scripts/bench-diff.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// countingQuerier counts the queries Inspect sends.
type countingQuerier struct {
	q schema.Querier
	n atomic.Int64
}

// Query implements schema.Querier.
func (c *countingQuerier) Query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	c.n.Add(1)
	return c.q.Query(ctx, q, args...)
}

var _ schema.Querier = (*countingQuerier)(nil)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-diff:", err)
		os.Exit(1)
	}
}

func run() error {
	dsn := flag.String("dsn", envOr("CHSCHEMA_DSN", "clickhouse://default@127.0.0.1:19000/default"), "server to use")
	tables := flag.Int("tables", 5000, "tables to create")
	columns := flag.Int("columns", 20, "columns per table")
	parallel := flag.Int("parallel", 4, "connections creating tables")
	runs := flag.Int("runs", 5, "timed runs of introspection + diff")
	keep := flag.String("keep", "", "use this database, creating its tables only if it does not exist, and keep it afterwards (for profiling)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts, err := clickhouse.ParseDSN(*dsn)
	if err != nil {
		return fmt.Errorf("--dsn: %w", err)
	}
	opts.MaxOpenConns = *parallel + 1
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Ping(ctx); err != nil {
		return err
	}

	b := make([]byte, 4)
	_, _ = rand.Read(b)
	db := "chschema_bench_" + hex.EncodeToString(b)
	create := true
	if *keep != "" {
		db = *keep
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", db).Scan(&n); err != nil {
			return err
		}
		create = n == 0
	}
	if create {
		if err := conn.Exec(ctx, "CREATE DATABASE "+schema.BackQuote(db)); err != nil {
			return err
		}
	}
	defer func() {
		if *keep != "" {
			return
		}
		// Drop even after an interrupt.
		if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.BackQuote(db)+" SYNC"); err != nil {
			fmt.Fprintln(os.Stderr, "bench-diff: drop database:", err)
		} else {
			fmt.Printf("dropped database %s\n", db)
		}
	}()

	if create {
		start := time.Now()
		if err := createTables(ctx, conn, db, *tables, *columns, *parallel); err != nil {
			return err
		}
		fmt.Printf("setup: %d tables x %d columns in database %s, created in %s\n", *tables, *columns, db, time.Since(start).Round(time.Millisecond)) // plural-ok: a benchmark of many
	}

	// As chschema diff reads: definitions through the parser's conversion.
	inspectOpts := schema.LiveOptions{Databases: []string{db}, Parser: parser.CreateReader{}, ParserVersion: "bench"}
	expected, _, err := schema.ReadLive(ctx, conn, inspectOpts) // also warms the server's caches
	if err != nil {
		return err
	}
	// SQL functions are server-wide: other users of the server may add or
	// drop theirs meanwhile, and none is part of this benchmark.
	expected.Functions = nil
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// Cold: no definition cache, every table's definition is formatted by
	// the server. Warm: a cache filled by an earlier run, as the CLI keeps
	// between runs; the cached tables must have settled for two seconds.
	cache := schema.NewMemoryCache()
	fill := inspectOpts
	fill.Cache = cache
	time.Sleep(2100 * time.Millisecond)
	if _, _, err := schema.ReadLive(ctx, conn, fill); err != nil {
		return err
	}
	for _, mode := range []struct {
		name  string
		cache schema.DefinitionCache
	}{{"cold (no definition cache)", nil}, {"warm (definition cache)", cache}} {
		opts := inspectOpts
		opts.Cache = mode.cache
		var durations, inspects, diffs []time.Duration
		var queries int64
		var changes int
		for range *runs {
			q := &countingQuerier{q: conn}
			t0 := time.Now()
			live, _, err := schema.ReadLive(ctx, q, opts)
			if err != nil {
				return err
			}
			t1 := time.Now()
			r := diff.Schemas(expected, live, diff.WithoutAddedFunctions())
			t2 := time.Now()
			durations = append(durations, t2.Sub(t0))
			inspects = append(inspects, t1.Sub(t0))
			diffs = append(diffs, t2.Sub(t1))
			queries = q.n.Load()
			changes = len(r.Changes)
			if got := len(live.Databases[0].Tables); got != *tables {
				return fmt.Errorf("read %d tables, want %d", got, *tables) // plural-ok: a benchmark of many
			}
		}
		m := median(durations)
		verdict := "met"
		if m >= time.Second {
			verdict = "MISSED"
		}
		fmt.Printf("%s: introspection + diff, %d runs: median %s (min %s, max %s; introspection %s, diff %s); %d queries per run; %d changes; target < 1s %s\n", // plural-ok: a benchmark of many
			mode.name, *runs, m, slices.Min(durations).Round(time.Millisecond), slices.Max(durations).Round(time.Millisecond),
			median(inspects), median(diffs), queries, changes, verdict)
	}
	return nil
}

// createTables creates n tables of cols columns, parallel connections each
// sending one CREATE at a time.
func createTables(ctx context.Context, conn driver.Conn, db string, n, cols, parallel int) error {
	jobs := make(chan int)
	errs := make(chan error, parallel)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := conn.Exec(ctx, createTable(db, i, cols)); err != nil {
					errs <- fmt.Errorf("table %d: %w", i, err)
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := range n {
		select {
		case jobs <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// createTable is a MergeTree table with a mix of column features.
func createTable(db string, i, cols int) string {
	defs := []string{"`c0` UInt64"}
	for c := 1; c < cols; c++ {
		name := fmt.Sprintf("`c%d` ", c)
		switch c % 5 {
		case 0:
			defs = append(defs, name+"String")
		case 1:
			defs = append(defs, name+"DateTime DEFAULT now()")
		case 2:
			defs = append(defs, name+"Float64 CODEC(Gorilla, ZSTD(1))")
		case 3:
			defs = append(defs, name+"LowCardinality(String) COMMENT 'dimension'")
		case 4:
			defs = append(defs, name+"Nullable(Int32)")
		}
	}
	return fmt.Sprintf("CREATE TABLE %s.`t%05d` (%s) ENGINE = MergeTree ORDER BY c0 TTL c1 + INTERVAL 30 DAY",
		schema.BackQuote(db), i, strings.Join(defs, ", "))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
