package chschema

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

const (
	eventsSQL = "-- +up\nCREATE TABLE ${DB}.events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE ${DB}.events;\n"
	dbSQL     = "-- +up\nCREATE DATABASE IF NOT EXISTS ${DB};\n-- +down\nDROP DATABASE ${DB};\n"
)

func shopFS() fstest.MapFS {
	return fstest.MapFS{
		"shop/0001_db.sql":     {Data: []byte(dbSQL)},
		"shop/0002_events.sql": {Data: []byte(eventsSQL)},
	}
}

// sealedFS is shopFS with chschema.sum sealing its migrations.
func sealedFS(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := shopFS()
	d, err := migrations.Open(fsys)
	if err != nil {
		t.Fatal(err)
	}
	data, err := d.SumFile().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	fsys[migrations.SumFileName] = &fstest.MapFile{Data: data}
	return fsys
}

var shopVars = WithVars(map[string]string{"DB": "shop"})

// TestOptionsAreValidated: Open, Connect and the operations reject nil,
// invalid and conflicting options before they do anything.
func TestOptionsAreValidated(t *testing.T) {
	ctx := context.Background()
	open := func(opts ...Option) error {
		_, err := OpenFS(shopFS(), append([]Option{shopVars}, opts...)...)
		return err
	}
	p, err := OpenFS(shopFS(), shopVars)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil option", open(nil), "option 2 is nil"},
		{"nil events", open(WithEvents(nil)), "nil callback"},
		{"events twice", open(WithEvents(func(Event) {}), WithEvents(func(Event) {})), "WithEvents given twice"},
		{"a variable set twice", open(WithVars(map[string]string{"DB": "other"})), "DB is set twice"},
		{"zero lease", open(WithLockLease(0)), "must be positive"},
		{"lease under the minimum", open(WithLockLease(500 * time.Millisecond)), "shorter than the minimum lease"},
		{"resume at nothing", func() error { _, err := p.Migrate(ctx, nil, ResumeAt()); return err }(), "no resume point"},
		{"stop on nil", func() error { _, err := p.Migrate(ctx, nil, StopOn(nil)); return err }(), "StopOn: nil channel"},
		{"migrate takes no data loss", func() error { _, err := p.Migrate(ctx, nil, AllowDataLoss()); return err }(), "Migrate does not take AllowDataLoss"},
		{"negative timeout", open(WithLockTimeout(-time.Second)), "negative duration"},
		{"timeout twice", open(WithLockTimeout(time.Second), WithLockTimeout(time.Minute)), "given twice"},
		{"unknown journal", open(WithJournal(Journal(42))), "unknown journal mode 42"},
		{"empty version", open(WithVersion(" ")), "empty version"},
		{"invalid ignore pattern", open(WithIgnore("shop.[")), "shop.["},
		{"connect: nil option", connectErr(ctx, nil), "connect option 1 is nil"},
		{"connect: negative wait", connectErr(ctx, WithWait(-time.Second)), "negative duration"},
		{"connect: history table twice", connectErr(ctx, WithHistoryTable("a"), WithHistoryTable("b")), "given twice"},
		{"connect: empty cluster", connectErr(ctx, WithCluster("")), "empty cluster name"},
		{"connect: nil events", connectErr(ctx, WithEvents(nil)), "nil callback"},
		{"connect: malformed DSN", func() error { _, err := Connect(ctx, "::nope"); return err }(), "malformed DSN"},
		{"migrate takes no steps", func() error { _, err := p.Migrate(ctx, nil, Steps(1)); return err }(), "Migrate does not take Steps"},
		{"migrate: nil run option", func() error { _, err := p.Migrate(ctx, nil, nil); return err }(), "option 1 is nil"},
		{"migrate: service twice", func() error { _, err := p.Migrate(ctx, nil, OnlyService("a"), OnlyService("b")); return err }(), "OnlyService given twice"},
		{"down needs a target", func() error { _, err := p.Down(ctx, nil); return err }(), "exactly one of ToVersion and Steps"},
		{"down: both targets", func() error { _, err := p.Down(ctx, nil, Steps(1), ToVersion(0)); return err }(), "exactly one of ToVersion and Steps"},
		{"down: zero steps", func() error { _, err := p.Down(ctx, nil, Steps(0)); return err }(), "not a positive number"},
		{"baseline takes no dry run", func() error { _, err := p.Baseline(ctx, nil, 1, DryRun()); return err }(), "Baseline does not take DryRun"},
		{"migrate without a DB", func() error { _, err := p.Migrate(ctx, nil); return err }(), "nil *DB"},
		{"diff: nil against", func() error { _, err := p.DiffOffline(nil); return err }(), "nil live schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", tt.err, tt.want)
			}
		})
	}
}

func connectErr(ctx context.Context, opts ...ConnectOption) error {
	// An address nothing listens on: the options must fail first.
	_, err := Connect(ctx, "clickhouse://127.0.0.1:1/default", opts...)
	return err
}

func TestVarsFromEnviron(t *testing.T) {
	got := VarsFromEnviron([]string{"CHSCHEMA_VAR_DB=xapi", "CHSCHEMA_VAR_EMPTY=", "CHSCHEMA_VAR_=x", "CHSCHEMA_VAR_DB2", "PATH=/bin", "CHSCHEMA_VAR_DB=last"})
	if len(got) != 2 || got["DB"] != "last" || got["EMPTY"] != "" {
		t.Errorf("VarsFromEnviron = %v", got)
	}
}

// TestOpenReportsEveryProblem: a directory with problems fails Open with
// all of them at their positions, and leaves a Project on which only Lint,
// New and Hash work.
func TestOpenReportsEveryProblem(t *testing.T) {
	t.Run("undefined variable", func(t *testing.T) {
		p, err := OpenFS(shopFS())
		var list migrations.ErrorList
		if !errors.As(err, &list) || !errors.Is(err, migrations.ErrUndefinedVar) || !strings.Contains(err.Error(), "shop/0001_db.sql:2:31") {
			t.Fatalf("err = %v, want undefined variables at their positions", err)
		}
		if p == nil {
			t.Fatal("no Project for Lint, New and Hash")
		}
		if _, err2 := p.Expected(ExpectedOptions{}); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("Expected on a broken Project: %v, want Open's error", err2)
		}
		rep, lerr := p.Lint(context.Background(), LintOptions{})
		if lerr != nil || rep.Errors() == 0 || rep.Findings[0].Rule != lint.RuleUndefinedVar {
			t.Errorf("Lint = %+v, %v", rep, lerr)
		}
	})
	t.Run("structure", func(t *testing.T) {
		fsys := shopFS()
		fsys["shop/0004_gap.sql"] = &fstest.MapFile{Data: []byte(eventsSQL)}
		_, err := OpenFS(fsys, shopVars)
		if !errors.Is(err, migrations.ErrGap) {
			t.Fatalf("err = %v, want the gap", err)
		}
	})
	t.Run("ignore file", func(t *testing.T) {
		fsys := shopFS()
		fsys[IgnoreFile] = &fstest.MapFile{Data: []byte("# comment\nshop.[\n")}
		_, err := OpenFS(fsys, shopVars)
		if !errors.Is(err, diff.ErrPattern) || !strings.Contains(err.Error(), "chschema.ignore:2:1") {
			t.Fatalf("err = %v, want the pattern at chschema.ignore:2:1", err)
		}
	})
}

// TestOpenVerifiesTheSeal: an edited, removed or renamed sealed migration
// fails Open with the lint finding; WithoutSumCheck lets it through.
func TestOpenVerifiesTheSeal(t *testing.T) {
	if _, err := OpenFS(sealedFS(t), shopVars); err != nil {
		t.Fatalf("a sealed, unchanged directory: %v", err)
	}
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		rule lint.Rule
		file string
		is   error
	}{
		{"edited", func(f fstest.MapFS) {
			f["shop/0002_events.sql"] = &fstest.MapFile{Data: []byte(eventsSQL + "-- edited\n")}
		}, lint.RuleSealedEdited, "shop/0002_events.sql", migrations.ErrSealedEdited},
		{"renamed", func(f fstest.MapFS) {
			f["shop/0002_clicks.sql"] = f["shop/0002_events.sql"]
			delete(f, "shop/0002_events.sql")
		}, lint.RuleSealedRenamed, "shop/0002_clicks.sql", migrations.ErrSealedRenamed},
		{"removed", func(f fstest.MapFS) { delete(f, "shop/0002_events.sql") }, lint.RuleSealedRemoved, migrations.SumFileName, migrations.ErrSealedRemoved},
		{"malformed sum file", func(f fstest.MapFS) {
			f[migrations.SumFileName] = &fstest.MapFile{Data: []byte("chschema.sum v1 h1:nonsense\n")}
		}, lint.RuleSumFile, migrations.SumFileName, migrations.ErrSumSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := sealedFS(t)
			tt.edit(fsys)
			p, err := OpenFS(fsys, shopVars)
			var se *SealError
			if !errors.As(err, &se) || !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want a *SealError wrapping %v", err, tt.is)
			}
			if f := se.Findings[0]; f.Rule != tt.rule || f.File != tt.file || f.Severity != lint.Error {
				t.Errorf("finding = %+v, want %s at %s", f, tt.rule, tt.file)
			}
			if _, err := p.Migrate(context.Background(), nil); !errors.As(err, &se) {
				t.Errorf("Migrate on a broken seal: %v", err)
			}
			if tt.rule == lint.RuleSealedRemoved {
				return // the missing file also breaks the sequence
			}
			if _, err := OpenFS(fsys, shopVars, WithoutSumCheck()); err != nil {
				t.Errorf("WithoutSumCheck: %v", err)
			}
		})
	}
}

// TestExpected: the offline expected schema, whole or selected, and one
// replay for every consumer.
func TestExpected(t *testing.T) {
	fsys := shopFS()
	fsys["shop/0003_totals.sql"] = &fstest.MapFile{Data: []byte("-- +up\nCREATE TABLE ${DB}.totals (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE ${DB}.totals;\n")}
	fsys["audit/0001_log.sql"] = &fstest.MapFile{Data: []byte("-- +up\nCREATE TABLE log (at DateTime) ENGINE = Log;\n-- +down\nDROP TABLE log;\n")}
	p, err := OpenFS(fsys, shopVars)
	if err != nil {
		t.Fatal(err)
	}
	names := func(res *ExpectedResult) string {
		var out []string
		for _, d := range res.Schema.Databases {
			for _, tb := range d.Tables {
				out = append(out, d.Name+"."+tb.Name)
			}
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		opts ExpectedOptions
		want string
	}{
		{ExpectedOptions{}, "default.log,shop.events,shop.totals"},
		{ExpectedOptions{Service: "shop"}, "shop.events,shop.totals"},
		{ExpectedOptions{Service: "shop", Upto: 2}, "shop.events"},
		{ExpectedOptions{Database: "audit_db"}, "audit_db.log,shop.events,shop.totals"},
	} {
		res, err := p.Expected(tt.opts)
		if err != nil {
			t.Fatalf("%+v: %v", tt.opts, err)
		}
		if got := names(res); got != tt.want {
			t.Errorf("Expected(%+v) = %s, want %s", tt.opts, got, tt.want)
		}
	}
	if _, err := p.Expected(ExpectedOptions{Service: "nope"}); !errors.Is(err, migrations.ErrUnknownService) {
		t.Errorf("unknown service: %v", err)
	}
	// What the server would refuse is an error at its position.
	fsys["shop/0004_bad.sql"] = &fstest.MapFile{Data: []byte("-- +up\nALTER TABLE ${DB}.nosuch ADD COLUMN x UInt8;\n-- +down\n-- no-op\n")}
	p, err = OpenFS(fsys, shopVars)
	if err != nil {
		t.Fatal(err)
	}
	var replay parser.ReplayErrors
	if _, err := p.Expected(ExpectedOptions{}); !errors.As(err, &replay) || !strings.Contains(err.Error(), "shop/0004_bad.sql:2:1") {
		t.Errorf("replay error = %v", err)
	}
	// Lenient, as for a server that ran it: a finding, the rest modelled.
	res, err := p.Expected(ExpectedOptions{Lenient: true})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].Refused == nil || res.Findings[0].Pos.String() != "shop/0004_bad.sql:2:1" {
		t.Errorf("lenient: %v, findings %v", err, res.Findings)
	}
}

// TestNewAndHash write files in a directory on disk, never on an fs.FS.
func TestNewAndHash(t *testing.T) {
	dir := t.TempDir()
	for name, f := range shopFS() {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// No variables: New needs none, but Hash seals only what lint accepts,
	// and lint needs the values to read the SQL.
	p, err := Open(dir)
	if !errors.Is(err, migrations.ErrUndefinedVar) {
		t.Fatalf("Open without variables: %v", err)
	}
	var ue *UnsealableError
	if _, err := p.Hash(context.Background(), LintOptions{}); !errors.As(err, &ue) || ue.Report.Findings[0].Rule != lint.RuleUndefinedVar {
		t.Fatalf("Hash without variables: %v, want an *UnsealableError for the undefined variable", err)
	}
	p, _ = Open(dir, shopVars)
	res, err := p.Hash(context.Background(), LintOptions{})
	if err != nil || !res.Changed || res.Sealed != 2 {
		t.Fatalf("Hash = %+v, %v", res, err)
	}
	if res, err := p.Hash(context.Background(), LintOptions{}); err != nil || res.Changed {
		t.Errorf("second Hash = %+v, %v; want unchanged", res, err)
	}
	rel, err := p.New("shop", "clicks", nil)
	if err != nil || rel != "shop/0003_clicks.sql" {
		t.Fatalf("New = %q, %v", rel, err)
	}
	if _, err := p.New("shop", "clicks", nil); err == nil {
		t.Error("New over an existing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "shop", "0003_clicks.sql")); err != nil {
		t.Fatal(err)
	}
	// Editing a sealed file: Hash refuses, unless WithoutSumCheck.
	if err := os.WriteFile(filepath.Join(dir, "shop", "0002_events.sql"), []byte(eventsSQL+"-- edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, _ = Open(dir, shopVars)
	var se *SealError
	if _, err := p.Hash(context.Background(), LintOptions{}); !errors.As(err, &se) {
		t.Errorf("Hash over an edit: %v, want a *SealError", err)
	}
	// Not even WithoutSumCheck seals what lint rejects: the template New
	// wrote has empty sections.
	p, _ = Open(dir, shopVars, WithoutSumCheck())
	if _, err := p.Hash(context.Background(), LintOptions{}); !errors.As(err, &ue) || ue.Report.Findings[0].File != "shop/0003_clicks.sql" {
		t.Errorf("Hash of New's template: %v, want an *UnsealableError at shop/0003_clicks.sql", err)
	}
	if err := os.Remove(filepath.Join(dir, "shop", "0003_clicks.sql")); err != nil {
		t.Fatal(err)
	}
	p, _ = Open(dir, shopVars, WithoutSumCheck())
	if res, err := p.Hash(context.Background(), LintOptions{}); err != nil || !res.Changed {
		t.Errorf("Hash WithoutSumCheck = %+v, %v", res, err)
	}
	// An fs.FS has nowhere to write.
	pf, _ := OpenFS(shopFS(), shopVars)
	if _, err := pf.Hash(context.Background(), LintOptions{}); err == nil {
		t.Error("Hash on an fs.FS succeeded")
	}
}

// TestReportJSON: an empty Applied encodes as [], never null.
func TestReportJSON(t *testing.T) {
	data, err := (&apply.Report{}).MarshalJSON()
	if err != nil || !strings.Contains(string(data), `"applied":[]`) {
		t.Errorf("report JSON = %s, %v", data, err)
	}
}
