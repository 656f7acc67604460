package schema

import (
	"context"
	"errors"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Querier is the part of a ClickHouse connection ReadLive uses;
// clickhouse-go's driver.Conn satisfies it.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (driver.Rows, error)
}

var _ Querier = (driver.Conn)(nil)

// CreateParser reads a CREATE statement as the server prints it
// (create_table_query, create_query) into the change that would create the
// object: *AddTable, *AddView, *AddDictionary or *AddFunction. The system
// tables lack some parts of a definition (TTL, SETTINGS, constraints, column
// TTL, engine arguments, dictionary sources); ReadLive takes them from there.
// The parser package provides one; schema cannot import it.
type CreateParser interface {
	ParseCreate(query string) (Change, error)
}

// RefreshParser reads the REFRESH clause of a CREATE MATERIALIZED VIEW as
// the server prints it (create_table_query): nil when the view has none.
// ReadLive reads refreshable views with it when LiveOptions.Parser
// implements it; the parser package's does.
type RefreshParser interface {
	ParseRefresh(query string) (*Refresh, error)
}

// Inspector reads a live schema. Drift detection compares what it returns
// with the expected schema; LiveReader is the one over the system tables.
type Inspector interface {
	InspectSchema(ctx context.Context) (*Schema, error)
}

// ErrInspect wraps the errors of reading a live schema.
var ErrInspect = errors.New("schema: inspect")
