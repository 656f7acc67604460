package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/schema"
)

// Status is the state of one migration in the history.
type Status string

// The statuses an event records. A migration's state is its latest event's.
const (
	// StatusStarted: the run began applying it; statements may have run.
	StatusStarted Status = "started"
	// StatusFailed: a statement failed; Statements says how many completed.
	StatusFailed Status = "failed"
	// StatusApplied: every up statement completed.
	StatusApplied Status = "applied"
	// StatusPending: planned by a run that stopped at an earlier failure
	// before reaching it; nothing of it ran.
	StatusPending Status = "pending"
	// StatusBaselined: recorded as applied without running (chschema baseline).
	StatusBaselined Status = "baselined"
	// StatusReverting: the run began its down section.
	StatusReverting Status = "reverting"
	// StatusRevertFailed: a down statement failed; Statements says how many completed.
	StatusRevertFailed Status = "revert_failed"
	// StatusReverted: the down section completed; the migration is pending again.
	StatusReverted Status = "reverted"
	// StatusStopped: the run was asked to stop (a signal) in the middle of
	// the up section; Statements says how many completed.
	StatusStopped Status = "stopped"
	// StatusRevertStopped: the same for a down section.
	StatusRevertStopped Status = "revert_stopped"
)

// Down reports whether the status belongs to a down section.
func (s Status) Down() bool {
	return s == StatusReverting || s == StatusRevertFailed || s == StatusReverted || s == StatusRevertStopped
}

// Event is one row of the history table. The table is append-only: the state
// of a migration is derived from its events, never updated in place.
type Event struct {
	Service string
	Version uint64
	Name    string
	Status  Status
	// Attempt identifies the run that wrote the event; statements of that run
	// carry it in their query_id.
	Attempt string
	// Statements is how many statements of the section are known complete.
	Statements uint32
	// Total is the number of statements in the section.
	Total            uint32
	RawChecksum      string
	RenderedChecksum string
	StartedAt        time.Time
	FinishedAt       time.Time
	Duration         time.Duration
	Error            string
	ChschemaVersion  string
	Host             string
	// Journal is how the attempt records completed statements (recorded
	// with every event of an attempt; JournalAuto in events written before
	// chschema recorded it). A resume reads each attempt by its own journal.
	Journal Journal
	// WrittenRows, on a failed or stopped event, is how many rows the
	// statement after the completed ones wrote before it stopped: a
	// statement that wrote rows and did not finish is partly done, and a
	// resume refuses to run it again without being told (see ResumeAt).
	WrittenRows uint64
	// EventTime orders events; set by Append when zero.
	EventTime time.Time
}

// Key names a migration across services.
type Key struct {
	Service string `json:"service"`
	Version uint64 `json:"version"`
}

func (k Key) String() string { return fmt.Sprintf("%s/%04d", k.Service, k.Version) }

// Record is the derived state of one migration: its latest event, plus the
// attempts that have run its current section since it was last complete.
type Record struct {
	Event
	// Attempts lists, oldest first, the attempts of the current incomplete
	// section (empty when the latest event is terminal).
	Attempts []string
	// appliedAt is when the up section last completed (or was baselined).
	appliedAt time.Time
}

// AppliedAt is when the migration was last applied or baselined: the
// finish time of the latest such event that has one. Events written back
// after a failed down by older versions carry no time (1970-01-01): they
// are skipped.
func (r Record) AppliedAt() time.Time { return r.appliedAt }

// Incomplete reports whether a section was started and did not finish.
func (r Record) Incomplete() bool {
	switch r.Status {
	case StatusStarted, StatusFailed, StatusStopped, StatusReverting, StatusRevertFailed, StatusRevertStopped:
		return true
	}
	return false
}

// Applied reports whether the migration counts as applied: done, baselined,
// or half-done (a started up section counts until it is reverted).
func (r Record) Applied() bool {
	return r.Status == StatusApplied || r.Status == StatusBaselined
}

// HistoryStore keeps the append-only migration history.
type HistoryStore interface {
	// Ensure creates the history table if it does not exist.
	Ensure(ctx context.Context) error
	// Load returns every event, oldest first.
	Load(ctx context.Context) ([]Event, error)
	// Append adds events in one round trip.
	Append(ctx context.Context, events ...Event) error
}

var _ HistoryStore = (*TableHistory)(nil)

// TableHistory is a HistoryStore in a ClickHouse table.
type TableHistory struct {
	conn      driver.Conn
	db, table string
	engine    string
	cluster   string
	// upgraded is set once the table is known to have every column (see
	// Ensure).
	upgraded bool
}

// DefaultHistoryEngine is the history table's engine on a single server.
const DefaultHistoryEngine = "MergeTree ORDER BY (service, version, event_time)"

// ReplicatedHistoryEngine is the documented engine for --cluster: the
// history replicated to every node, so any node can run the next migrate.
const ReplicatedHistoryEngine = "ReplicatedMergeTree('/clickhouse/tables/{database}/{table}', '{replica}') ORDER BY (service, version, event_time)"

// HistoryOptions say where and how the history table is kept.
type HistoryOptions struct {
	// Database and Table name the history table; both are required.
	Database, Table string
	// Engine is the table's ENGINE clause; DefaultHistoryEngine when empty
	// (ReplicatedHistoryEngine when Cluster is set).
	Engine string
	// Cluster, when set, creates the database and table ON CLUSTER.
	Cluster string
}

// NewTableHistory returns the history kept in the table opts name.
func NewTableHistory(conn driver.Conn, opts HistoryOptions) (*TableHistory, error) {
	if conn == nil {
		return nil, errors.New("apply: NewTableHistory: nil connection")
	}
	if opts.Database == "" || opts.Table == "" {
		return nil, errors.New("apply: NewTableHistory: empty database or table name")
	}
	engine := opts.Engine
	switch {
	case engine != "":
	case opts.Cluster != "":
		engine = ReplicatedHistoryEngine
	default:
		engine = DefaultHistoryEngine
	}
	return &TableHistory{conn: conn, db: opts.Database, table: opts.Table, engine: engine, cluster: opts.Cluster}, nil
}

// Name is the history table's qualified name.
func (h *TableHistory) Name() string { return quoteIdent(h.db) + "." + quoteIdent(h.table) }

// Ensure creates the database and table if needed.
func (h *TableHistory) Ensure(ctx context.Context) error {
	on := ""
	if h.cluster != "" {
		on = " ON CLUSTER " + quoteIdent(h.cluster)
	}
	if err := h.conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(h.db)+on); err != nil {
		return fmt.Errorf("apply: create history database %s: %w", h.db, err)
	}
	q := `CREATE TABLE IF NOT EXISTS ` + h.Name() + on + ` (
	service String,
	version UInt64,
	name String,
	status LowCardinality(String),
	attempt String,
	statements UInt32,
	total UInt32,
	raw_checksum String,
	rendered_checksum String,
	started_at DateTime64(3, 'UTC'),
	finished_at DateTime64(3, 'UTC'),
	duration_ms UInt64,
	error String,
	chschema_version LowCardinality(String),
	host LowCardinality(String),
	event_time DateTime64(6, 'UTC'),
	journal LowCardinality(String) DEFAULT '',
	written_rows UInt64 DEFAULT 0
) ENGINE = ` + h.engine + `
COMMENT ` + quoteString(historyComment)
	if err := h.conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("apply: create history table %s: %w", h.Name(), err)
	}
	if h.upgraded {
		return nil
	}
	// A table created by an older chschema lacks the columns added since:
	// add them (a metadata change; old rows read as '' and 0).
	var missing uint64
	if err := h.conn.QueryRow(ctx, "SELECT toUInt64(2 - count()) FROM system.columns WHERE database = ? AND table = ? AND name IN ('journal', 'written_rows')",
		h.db, h.table).Scan(&missing); err != nil {
		return fmt.Errorf("apply: read the columns of history table %s: %w", h.Name(), err)
	}
	if missing > 0 {
		if err := h.conn.Exec(ctx, "ALTER TABLE "+h.Name()+on+
			" ADD COLUMN IF NOT EXISTS journal LowCardinality(String) DEFAULT '', ADD COLUMN IF NOT EXISTS written_rows UInt64 DEFAULT 0"); err != nil {
			return fmt.Errorf("apply: add the new columns to history table %s: %w", h.Name(), err)
		}
	}
	h.upgraded = true
	return nil
}

// Load reads every event in one query, oldest first. A missing table is an
// empty history.
func (h *TableHistory) Load(ctx context.Context) ([]Event, error) {
	const columns = `service, version, name, status, attempt, statements, total,
		raw_checksum, rendered_checksum, started_at, finished_at, duration_ms, error,
		chschema_version, host, event_time`
	rows, err := h.conn.Query(ctx, `SELECT `+columns+`, journal, written_rows FROM `+h.Name()+` ORDER BY event_time, service, version`)
	legacy := false
	if isCode(err, codeUnknownIdentifier) {
		// A table of an older chschema, without the newer columns (Ensure
		// adds them): read what it has.
		legacy = true
		rows, err = h.conn.Query(ctx, `SELECT `+columns+`, '', toUInt64(0) FROM `+h.Name()+` ORDER BY event_time, service, version`)
	}
	if isCode(err, codeUnknownTable) || isCode(err, codeUnknownDatabase) {
		return nil, nil // nothing applied yet
	}
	if err != nil {
		return nil, fmt.Errorf("apply: read history %s: %w", h.Name(), err)
	}
	defer rows.Close()
	var events []Event
	for rows.Next() {
		var e Event
		var status, journal string
		var durMS uint64
		if err := rows.Scan(&e.Service, &e.Version, &e.Name, &status, &e.Attempt, &e.Statements, &e.Total,
			&e.RawChecksum, &e.RenderedChecksum, &e.StartedAt, &e.FinishedAt, &durMS, &e.Error,
			&e.ChschemaVersion, &e.Host, &e.EventTime, &journal, &e.WrittenRows); err != nil {
			return nil, fmt.Errorf("apply: read history %s: %w", h.Name(), err)
		}
		e.Status, e.Duration = Status(status), time.Duration(durMS)*time.Millisecond
		e.Journal = parseJournal(journal)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("apply: read history %s: %w", h.Name(), err)
	}
	if !legacy {
		h.upgraded = true
	}
	return events, nil
}

// Append inserts events in one batch. Events without an EventTime get
// increasing times, so their order survives.
func (h *TableHistory) Append(ctx context.Context, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	// A synchronous insert: the event is durable when Append returns (a
	// server whose profile turns async_insert on would otherwise buffer it
	// and hold the call up to the buffer's timeout).
	// log_queries: the insert that opens an attempt is how a resume tells
	// whether the query log still holds that attempt (see the runner).
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"async_insert": 0, "log_queries": 1}))
	batch, err := h.conn.PrepareBatch(ctx, "INSERT INTO "+h.Name()+" ("+historyColumns+")")
	if err != nil {
		return fmt.Errorf("apply: write history %s: %w", h.Name(), err)
	}
	now := time.Now().UTC()
	for i, e := range events {
		if e.EventTime.IsZero() {
			e.EventTime = now.Add(time.Duration(i) * time.Microsecond)
		}
		if err := batch.Append(e.Service, e.Version, e.Name, string(e.Status), e.Attempt, e.Statements, e.Total,
			e.RawChecksum, e.RenderedChecksum, e.StartedAt, e.FinishedAt, uint64(e.Duration/time.Millisecond), e.Error,
			e.ChschemaVersion, e.Host, e.EventTime, e.Journal.recorded(), e.WrittenRows); err != nil {
			return fmt.Errorf("apply: write history %s: %w", h.Name(), err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("apply: write history %s: %w", h.Name(), err)
	}
	return nil
}

// historyColumns are the columns Append writes, in its order.
const historyColumns = `service, version, name, status, attempt, statements, total, raw_checksum,
	rendered_checksum, started_at, finished_at, duration_ms, error, chschema_version, host, event_time,
	journal, written_rows`

// State derives each migration's record from its events.
func State(events []Event) map[Key]Record {
	sorted := append([]Event(nil), events...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].EventTime.Before(sorted[j].EventTime) })
	state := map[Key]Record{}
	for _, e := range sorted {
		k := Key{e.Service, e.Version}
		r := state[k]
		switch {
		case !(Record{Event: e}).Incomplete():
			r.Attempts = nil
		case !r.Incomplete() || r.Status.Down() != e.Status.Down():
			// A section starts its own list of attempts.
			r.Attempts = []string{e.Attempt}
		case r.Attempts[len(r.Attempts)-1] != e.Attempt:
			r.Attempts = append(r.Attempts, e.Attempt)
		}
		r.Event = e
		if (e.Status == StatusApplied || e.Status == StatusBaselined) && e.FinishedAt.Unix() > 0 {
			r.appliedAt = e.FinishedAt
		}
		state[k] = r
	}
	return state
}

// SortedKeys returns the keys of m in service, version order.
func SortedKeys[V any](m map[Key]V) []Key {
	keys := make([]Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Service != keys[j].Service {
			return keys[i].Service < keys[j].Service
		}
		return keys[i].Version < keys[j].Version
	})
	return keys
}

// ParseTableName splits "db.table" (or "table", in defaultDB) for
// --history-table.
func ParseTableName(s, defaultDB string) (db, table string, err error) {
	db, table, ok := strings.Cut(s, ".")
	if !ok {
		db, table = defaultDB, s
	}
	if db == "" || table == "" || strings.Contains(table, ".") {
		return "", "", fmt.Errorf("apply: history table %q: want db.table", s)
	}
	return db, table, nil
}

// LockTableName is the lock table chschema keeps beside a history table.
func LockTableName(historyTable string) string { return historyTable + "_lock" }

// historyComment is the comment of every history table; IsOwnTable
// recognises a history table by it.
const historyComment = "chschema migration history: append-only events; a migration's state is its latest event"

// IsOwnTable reports whether t has the shape of a table chschema itself
// keeps, whatever its name or database: a history table (by its comment),
// or a lock or lock tombstone (a Memory table named <history>_lock or
// <history>_lock_expired_<uuid> whose only column is holder). It finds them
// where OwnTable cannot: a history table named by a --history-table the
// caller was not given.
func IsOwnTable(t *schema.Table) bool {
	if t == nil {
		return false
	}
	if string(t.Comment) == historyComment {
		return true
	}
	lockName := strings.HasSuffix(t.Name, "_lock") || strings.Contains(t.Name, "_lock_expired_")
	return lockName && t.Engine.Name == "Memory" && len(t.Columns) == 1 && t.Columns[0].Name == "holder"
}

// OwnTable reports, for a history table in db, whether a table is one
// chschema itself keeps there: the history, its lock, or the tombstone of a
// broken lock. They are never drift.
func OwnTable(db, historyTable string) func(schema.QualifiedName) bool {
	lock := LockTableName(historyTable)
	return func(q schema.QualifiedName) bool {
		return q.Database == db && (q.Name == historyTable || q.Name == lock || strings.HasPrefix(q.Name, lock+"_expired_"))
	}
}

// DropOwnTables removes from s every table chschema itself keeps: those own
// names (OwnTable of the history table in use), and those IsOwnTable
// recognises by their shape.
func DropOwnTables(s *schema.Schema, own func(schema.QualifiedName) bool) {
	var names []schema.QualifiedName
	for _, d := range s.Databases {
		for _, t := range d.Tables {
			q := schema.QualifiedName{Database: d.Name, Name: t.Name}
			if own != nil && own(q) || IsOwnTable(t) {
				names = append(names, q)
			}
		}
	}
	for _, q := range names {
		_ = s.Apply(&schema.DropObject{Name: q, Kind: schema.KindTable, IfExists: true})
	}
}
