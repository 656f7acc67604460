package main

import (
	"context"
	"errors"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
)

// historyFlags are the flags of the commands that read or write the history.
type historyFlags struct {
	HistoryTable string `help:"History table, as table or db.table; the database defaults to the DSN's. The lock is the table <name>_lock beside it." env:"CHSCHEMA_HISTORY_TABLE" default:"chschema_migrations" placeholder:"DB.TABLE"`
	waitFlag
}

// connect opens the --dsn connection and returns the DSN's database.
func (h *historyFlags) connect(ctx context.Context, g *Globals) (driver.Conn, string, error) {
	if g.DSN == "" {
		return nil, "", errors.New("--dsn (or CHSCHEMA_DSN) is required")
	}
	opts, err := clickhouse.ParseDSN(g.DSN)
	if err != nil {
		return nil, "", err
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	conn, err := openConn(ctx, g.DSN, h.Wait)
	return conn, db, err
}

func (h *historyFlags) historyTable(dsnDB string) (db, table string, err error) {
	return apply.ParseTableName(h.HistoryTable, dsnDB)
}
