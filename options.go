package chschema

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
)

// Option configures a Project; see Open. Options are checked by Open: a
// nil or invalid option, or two that conflict, is an error.
type Option interface {
	applyProject(*projectConfig) error
}

// ConnectOption configures a DB; see Connect and NewDB.
type ConnectOption interface {
	applyConnect(*connectConfig) error
}

// ProjectConnectOption is an option that applies both to Open and to
// Connect (WithEvents).
type ProjectConnectOption interface {
	Option
	ConnectOption
}

// Journal says how a run records which statements completed; see
// apply.Journal.
type Journal = apply.Journal

// The journal modes.
const (
	// JournalAuto uses the query log when the server has one, else the table.
	JournalAuto = apply.JournalAuto
	// JournalQueryLog reads completed statements from system.query_log.
	JournalQueryLog = apply.JournalQueryLog
	// JournalTable records a history event after every statement.
	JournalTable = apply.JournalTable
)

// Defaults of the options, the same as the chschema command's.
const (
	// DefaultLockTimeout is how long a run waits for another run's lock.
	DefaultLockTimeout = 5 * time.Minute
	// DefaultLockLease is how long a lock lives without renewal.
	DefaultLockLease = time.Minute
	// MinLockLease is the shortest lease WithLockLease accepts.
	MinLockLease = time.Second
	// DefaultHistoryTable is the history table's name, in the session
	// database unless the name says db.table.
	DefaultHistoryTable = "chschema_migrations"
)

type projectConfig struct {
	vars           map[string]string
	events         func(Event)
	ignore         []diff.Pattern
	noSumCheck     bool
	noDriftCheck   bool
	noMutationWait bool
	lockTimeout    time.Duration
	lockTimeoutSet bool
	lockLease      time.Duration
	lockLeaseSet   bool
	journal        Journal
	journalSet     bool
	version        string
	versionSet     bool
	eventsSet      bool
}

type projectOption func(*projectConfig) error

func (f projectOption) applyProject(c *projectConfig) error { return f(c) }

// WithVars sets the template variables that replace ${NAME} in the
// migrations. It may be given more than once; a name given twice with
// different values is an error. See VarsFromEnviron for the environment's
// CHSCHEMA_VAR_<NAME>.
func WithVars(vars map[string]string) Option {
	return projectOption(func(c *projectConfig) error {
		if c.vars == nil {
			c.vars = map[string]string{}
		}
		for k, v := range vars {
			if old, ok := c.vars[k]; ok && old != v {
				return fmt.Errorf("chschema: WithVars: %s is set twice, to %q and %q", k, old, v)
			}
			c.vars[k] = v
		}
		return nil
	})
}

// WithEvents sets the callback that receives the events of the operations
// (see Event): waits, init.sql, migrations and statements starting and
// ending, mutations, the drift check, resume decisions. Given to Connect,
// it also receives the waits for the server. It is called synchronously, in
// order; nil is an error.
func WithEvents(fn func(Event)) ProjectConnectOption {
	return eventsOption{fn}
}

type eventsOption struct{ fn func(Event) }

func (o eventsOption) applyProject(c *projectConfig) error {
	if o.fn == nil {
		return errors.New("chschema: WithEvents: nil callback")
	}
	if c.eventsSet {
		return errors.New("chschema: WithEvents given twice")
	}
	c.events, c.eventsSet = o.fn, true
	return nil
}

func (o eventsOption) applyConnect(c *connectConfig) error {
	if o.fn == nil {
		return errors.New("chschema: WithEvents: nil callback")
	}
	if c.events != nil {
		return errors.New("chschema: WithEvents given twice")
	}
	c.events = o.fn
	return nil
}

// WithIgnore leaves objects managed elsewhere out of drift checks, diffs
// and plans. Each pattern is db.table or db.* with *, ? and [...] globs on
// either side of the dot (a name without a dot is a SQL function), or
// several such patterns separated by commas. The patterns add to those of
// the file chschema.ignore in the migrations root, which Open reads too.
func WithIgnore(patterns ...string) Option {
	return projectOption(func(c *projectConfig) error {
		for _, p := range patterns {
			c.ignore = append(c.ignore, diff.SplitPatterns(p)...)
		}
		return nil
	})
}

// WithoutSumCheck turns off the check of chschema.sum: Open neither reads
// it nor verifies the sealed migrations against it, and Hash reseals over
// edits. By default a sealed migration that was edited, removed, renamed
// or reordered fails Open with a *SealError.
func WithoutSumCheck() Option {
	return projectOption(func(c *projectConfig) error { c.noSumCheck = true; return nil })
}

// WithoutDriftCheck makes Migrate apply even when the live schema differs
// from the one the applied migrations describe. By default Migrate refuses
// with a *drift.Error. Baseline always checks: that is what it is for.
func WithoutDriftCheck() Option {
	return projectOption(func(c *projectConfig) error { c.noDriftCheck = true; return nil })
}

// WithoutMutationWait makes Migrate and Down go on to the next statement as
// soon as an ALTER that starts a mutation returns. By default they wait in
// system.mutations for the mutation to finish, and a failed mutation is an
// error (apply.ErrMutationFailed).
func WithoutMutationWait() Option {
	return projectOption(func(c *projectConfig) error { c.noMutationWait = true; return nil })
}

// WithLockTimeout sets how long Migrate, Down, Baseline and Verify wait for
// another run's lock before failing with an *apply.LockedError naming the
// holder (DefaultLockTimeout; 0 tries once).
func WithLockTimeout(d time.Duration) Option {
	return projectOption(func(c *projectConfig) error {
		if d < 0 {
			return fmt.Errorf("chschema: WithLockTimeout: negative duration %s", d)
		}
		if c.lockTimeoutSet {
			return errors.New("chschema: WithLockTimeout given twice")
		}
		c.lockTimeout, c.lockTimeoutSet = d, true
		return nil
	})
}

// WithLockLease sets how long the lock lives without renewal
// (DefaultLockLease; at least MinLockLease): a crashed holder's lock
// expires after it for other runs. The holder renews it every fifth of it,
// and stops (apply.ErrLockLost) before its next statement once half of it
// passed without a renewal the server confirmed: the other half covers a
// difference between the clocks of the hosts involved.
func WithLockLease(d time.Duration) Option {
	return projectOption(func(c *projectConfig) error {
		if d <= 0 {
			return fmt.Errorf("chschema: WithLockLease: the lease must be positive, not %s", d)
		}
		if d < MinLockLease {
			return fmt.Errorf("chschema: WithLockLease: %s is shorter than the minimum lease, %s: a holder renews every fifth of it", d, MinLockLease)
		}
		if c.lockLeaseSet {
			return errors.New("chschema: WithLockLease given twice")
		}
		c.lockLease, c.lockLeaseSet = d, true
		return nil
	})
}

// WithJournal chooses how completed statements are recorded (JournalAuto
// by default).
func WithJournal(j Journal) Option {
	return projectOption(func(c *projectConfig) error {
		if j < JournalAuto || j > JournalTable {
			return fmt.Errorf("chschema: WithJournal: unknown journal mode %d", j)
		}
		if c.journalSet {
			return errors.New("chschema: WithJournal given twice")
		}
		c.journal, c.journalSet = j, true
		return nil
	})
}

// WithVersion sets the chschema version recorded in the history and named
// in the lock (default: this module's version from the build information).
func WithVersion(v string) Option {
	return projectOption(func(c *projectConfig) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("chschema: WithVersion: empty version")
		}
		if c.versionSet {
			return errors.New("chschema: WithVersion given twice")
		}
		c.version, c.versionSet = v, true
		return nil
	})
}

func newProjectConfig(opts []Option) (projectConfig, error) {
	c := projectConfig{lockTimeout: DefaultLockTimeout, lockLease: DefaultLockLease, journal: JournalAuto,
		version: moduleVersion(), vars: map[string]string{}}
	for i, o := range opts {
		if o == nil {
			return c, fmt.Errorf("chschema: option %d is nil", i+1)
		}
		if err := o.applyProject(&c); err != nil {
			return c, err
		}
	}
	if c.events == nil {
		c.events = func(Event) {}
	}
	c.vars = maps.Clone(c.vars)
	return c, nil
}
