package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// waitFlag is embedded by commands that talk to a server: Tutor jobs start
// together with ClickHouse, so they may have to wait for it.
type waitFlag struct {
	Wait time.Duration `help:"How long to wait for the server to answer before giving up." default:"0s"`
}

// openConn opens a clickhouse-go connection to dsn and pings it, retrying
// until wait has passed.
func openConn(ctx context.Context, dsn string, wait time.Duration) (driver.Conn, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("--dsn: %w", err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactDSN(opts), err)
	}
	deadline := time.Now().Add(wait)
	for {
		err = conn.Ping(ctx)
		if err == nil {
			return conn, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			conn.Close()
			if wait > 0 {
				return nil, fmt.Errorf("server at %s did not answer within %s: %w", redactDSN(opts), wait, err)
			}
			return nil, fmt.Errorf("server at %s: %w", redactDSN(opts), err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// redactDSN names the server without its password.
func redactDSN(o *clickhouse.Options) string {
	user := o.Auth.Username
	if user == "" {
		user = "default"
	}
	return fmt.Sprintf("%s@%s/%s", user, strings.Join(o.Addr, ","), o.Auth.Database)
}
