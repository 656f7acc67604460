package chschema_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/chtest"
)

func migrationFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// TestDownDataLossThroughTheAPI: Down refuses with an *apply.DataLossError
// listing the rows a drop would destroy, a dry run reports them, and
// AllowDataLoss goes on, with a DataLossChecked event either way.
func TestDownDataLossThroughTheAPI(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	var checks []chschema.DataLossChecked
	p, err := chschema.OpenFS(migrationFS(map[string]string{
		"app/0001_t.sql": "-- +up\nCREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE t;\n",
	}), chschema.WithEvents(func(e chschema.Event) {
		if c, ok := e.(chschema.DataLossChecked); ok {
			checks = append(checks, c)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := chschema.Connect(ctx, db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := p.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := db.Conn.Exec(ctx, "INSERT INTO t SELECT number FROM numbers(190000)"); err != nil {
		t.Fatal(err)
	}
	_, err = p.Down(ctx, conn, chschema.ToVersion(0))
	var dl *apply.DataLossError
	if !errors.As(err, &dl) || !errors.Is(err, apply.ErrDataLoss) || len(dl.Losses) != 1 {
		t.Fatalf("down over 190000 rows: %v, want a DataLossError", err)
	}
	if l := dl.Losses[0]; l.What != "drop table" || l.Table != "t" || l.Rows != 190000 || l.Bytes == 0 || l.Key.String() != "app/0001" || l.Stmt.Line != 4 {
		t.Errorf("loss = %+v", l)
	}
	rep, err := p.Down(ctx, conn, chschema.ToVersion(0), chschema.DryRun())
	if err != nil || len(rep.DataLoss) != 1 || rep.DataLoss[0].Rows != 190000 {
		t.Fatalf("dry run: %v, %+v", err, rep)
	}
	rep, err = p.Down(ctx, conn, chschema.ToVersion(0), chschema.AllowDataLoss())
	if err != nil || len(rep.Applied) != 1 || len(rep.DataLoss) != 1 {
		t.Fatalf("down with AllowDataLoss: %v, %+v", err, rep)
	}
	if len(checks) != 3 || checks[0].Allowed || !checks[2].Allowed {
		t.Errorf("DataLossChecked events = %+v", checks)
	}
}

// TestStopOnAndCancel: StopOn stops a migrate after the running schema
// statement and records it (the next migration stays pending); a
// cancelled context cancels the running statement on the server. Either
// way the error wraps apply.ErrInterrupted, the lock is gone, and the next
// migrate resumes from the history.
func TestStopOnAndCancel(t *testing.T) {
	fsys := migrationFS(map[string]string{
		"app/0001_a.sql": "-- +up\nCREATE TABLE a (id UInt64) ENGINE = Log;\nSELECT sleep(2);\nCREATE TABLE b (id UInt64) ENGINE = Log;\n-- +down\n-- no-op\n",
		"app/0002_c.sql": "-- +up\nCREATE TABLE c (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE c;\n",
	})
	lockGone := func(t *testing.T, db *chtest.DB) {
		t.Helper()
		var n uint64
		if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = ? AND name = ?", db.Name,
			apply.LockTableName(chschema.DefaultHistoryTable)).Scan(&n); err != nil || n != 0 {
			t.Errorf("lock table left: %d, %v", n, err)
		}
	}
	for _, how := range []string{"stop", "cancel"} {
		t.Run(how, func(t *testing.T) {
			db := chtest.New(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stop := make(chan struct{})
			var kinds []string
			var decided []chschema.ResumeDecided
			p, err := chschema.OpenFS(fsys, chschema.WithEvents(func(e chschema.Event) {
				kinds = append(kinds, e.Kind())
				switch e := e.(type) {
				case chschema.StatementStarted:
					if e.Index == 2 && e.Key.Version == 1 {
						if how == "stop" {
							close(stop)
						} else {
							time.AfterFunc(300*time.Millisecond, cancel)
						}
					}
				case chschema.ResumeDecided:
					decided = append(decided, e)
				}
			}))
			if err != nil {
				t.Fatal(err)
			}
			conn, err := chschema.Connect(context.Background(), db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, err = p.Migrate(ctx, conn, chschema.StopOn(stop))
			if !errors.Is(err, apply.ErrInterrupted) {
				t.Fatalf("migrate: %v, want ErrInterrupted", err)
			}
			if how == "cancel" && !errors.Is(err, context.Canceled) {
				t.Errorf("migrate: %v, want context.Canceled too", err)
			}
			lockGone(t, db)
			if how == "cancel" && !strings.Contains(strings.Join(kinds, " "), "statement_cancelled") {
				t.Errorf("no statement_cancelled event: %v", kinds)
			}
			st, err := p.Status(context.Background(), conn)
			if err != nil {
				t.Fatal(err)
			}
			if st.Migrations[0].State != apply.StateIncomplete || st.Migrations[1].State != apply.StatePending {
				t.Errorf("status = %+v, want incomplete then pending", st.Migrations)
			}
			rep, err := p.Migrate(context.Background(), conn)
			if err != nil {
				t.Fatal(err)
			}
			done := 2 // the sleep finished
			if how == "cancel" {
				done = 1 // the sleep was cancelled
			}
			if len(rep.Applied) != 2 || len(decided) != 1 || decided[0].Done != done || decided[0].From != apply.FromHistory {
				t.Errorf("resume: applied %v, decisions %+v; want 2 applied after %d done, from the history", rep.Applied, decided, done)
			}
		})
	}
}
