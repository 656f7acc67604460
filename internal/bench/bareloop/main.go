// Command bareloop is the baseline of scripts/bench-apply: it runs the up
// statements of generated migrations with clickhouse-go and nothing else: no
// history, no lock, no checks.
//
// Usage: bareloop DSN FILE...   (each FILE holds statements separated by ";\n")
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bareloop:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 {
		return fmt.Errorf("usage: bareloop DSN FILE...")
	}
	opts, err := clickhouse.ParseDSN(args[0])
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx := context.Background()
	for _, f := range args[1:] {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, stmt := range strings.Split(string(b), ";\n") {
			if stmt = strings.TrimSpace(stmt); stmt == "" {
				continue
			}
			if err := conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return nil
}
