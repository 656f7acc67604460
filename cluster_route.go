package chschema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/parser"
)

// routeStep is how one node runs a statement that the replicas of a
// Replicated table share: one of them runs it, the others wait for its
// result and then run a marker under the statement's query_id.
type routeStep struct {
	sql   string
	group *replicaGroup
	// runs is true on the node that runs the statement for the group.
	runs bool
	// marker is what the other replicas run instead, once it succeeded.
	marker string
}

// replicaGroup is the nodes whose table is one Replicated table (one keeper
// path, each node's replica name known to the others).
type replicaGroup struct {
	runner NodeInfo
	table  string
	once   sync.Once
	done   chan struct{}
	err    error
}

func (g *replicaGroup) finish(err error) {
	g.once.Do(func() {
		g.err = err
		close(g.done)
	})
}

// route decides how the nodes who run the statement ref: every node, unless
// it is a replicated write (parser.ReplicatedWrite) to a table that the
// live engine shows as replicas of one another on several of them.
func (cr *clusterRun) route(ctx context.Context, ref stmtRef, st apply.Statement, who []int) (map[int]*routeStep, error) {
	if len(who) < 2 {
		return nil, nil
	}
	q, ok := parser.ReplicatedWrite(parser.Statement{Text: st.SQL, Pos: parser.FileStart})
	if !ok {
		return nil, nil
	}
	type replica struct {
		database, path, name string
		replicas             []string
		found                bool
	}
	reps := make([]replica, len(who))
	errs := make([]error, len(who))
	var wg sync.WaitGroup
	for k, i := range who {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nr := cr.nodes[i]
			r := &reps[k]
			r.database = q.Database
			if r.database == "" {
				r.database = cr.sessionDatabase(nr, ref)
			}
			err := nr.conn.Conn.QueryRow(ctx, `SELECT zookeeper_path, replica_name, arraySort(mapKeys(replica_is_active))
				FROM system.replicas WHERE database = ? AND table = ?`, r.database, q.Name).Scan(&r.path, &r.name, &r.replicas)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				errs[k] = fmt.Errorf("%s: %s statement %d (%s) writes to %s.%s: cannot tell from system.replicas whether it is a Replicated table: %w",
					nr.node.NodeInfo, ref.Key, ref.Index+1, st.Pos(), r.database, q.Name, err)
			default:
				r.found = true
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var groups [][]int // positions in who
	for k := range who {
		if !reps[k].found {
			continue
		}
		joined := false
		for gi, g := range groups {
			first := reps[g[0]]
			if first.path == reps[k].path && slices.Contains(first.replicas, reps[k].name) && slices.Contains(reps[k].replicas, first.name) {
				groups[gi] = append(g, k)
				joined = true
				break
			}
		}
		if !joined {
			groups = append(groups, []int{k})
		}
	}
	steps := map[int]*routeStep{}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		runner := cr.nodes[who[g[0]]].node.NodeInfo
		table := reps[g[0]].database + "." + q.Name
		grp := &replicaGroup{runner: runner, table: table, done: make(chan struct{})}
		steps[who[g[0]]] = &routeStep{sql: st.SQL, group: grp, runs: true}
		note := fmt.Sprintf("chschema --per-node: %s %s statement %d (%s) ran on %s, whose table %s replicates it to this replica",
			ref.Key, section(ref.Down), ref.Index+1, st.Pos(), runner, table)
		for _, k := range g[1:] {
			steps[who[k]] = &routeStep{sql: st.SQL, group: grp, marker: "SELECT " + quoteString(note) + " AS chschema_replicated FORMAT Null"}
		}
	}
	return steps, nil
}

func section(down bool) string {
	if down {
		return "down"
	}
	return "up"
}

// sessionDatabase is the database unqualified names of statement ref
// resolve to on a node: the node's session database, or the last USE before
// it in its section.
func (cr *clusterRun) sessionDatabase(nr *nodeRun, ref stmtRef) string {
	db := nr.db.database
	for _, u := range cr.p.units {
		if u.Key() != ref.Key {
			continue
		}
		stmts := u.Up
		if ref.Down {
			stmts = u.Down
		}
		for j := 0; j < ref.Index && j < len(stmts); j++ {
			if f := parser.Footprint(stmts[j].SQL, db); f.Use != "" {
				db = f.Use
			}
		}
	}
	return db
}

// quoteString quotes a ClickHouse string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// routedConn is a node's connection in a per-node run. Before each
// statement the lockstep arms it with the statement's routeStep: on the
// node that runs a replicated write for its replica group, the statement
// runs and its result goes to the group; on the group's other nodes, the
// statement's Exec waits for that result and runs the marker instead (with
// the statement's query_id and settings, so that the node's journal
// records the statement as done there) or fails with the runner's error.
// Every other query passes through.
type routedConn struct {
	driver.Conn

	mu    sync.Mutex
	armed *routeStep
}

var _ driver.Conn = (*routedConn)(nil)

// arm sets how the next Exec of the step's statement runs; nil clears it.
func (c *routedConn) arm(s *routeStep) {
	c.mu.Lock()
	c.armed = s
	c.mu.Unlock()
}

func (c *routedConn) Exec(ctx context.Context, query string, args ...any) error {
	return c.route(ctx, query, args, c.Conn.Exec)
}

// route runs query with exec, as the armed step says.
func (c *routedConn) route(ctx context.Context, query string, args []any, exec func(context.Context, string, ...any) error) error {
	c.mu.Lock()
	s := c.armed
	if s != nil && s.sql == query {
		c.armed = nil
	} else {
		s = nil
	}
	c.mu.Unlock()
	if s == nil {
		return exec(ctx, query, args...)
	}
	if s.runs {
		err := exec(ctx, query, args...)
		s.group.finish(err)
		return err
	}
	select {
	case <-s.group.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if s.group.err != nil {
		return fmt.Errorf("not run on this replica: %s runs it for the replicas of %s (system.replicas), and it failed there: %v",
			s.group.runner, s.group.table, s.group.err)
	}
	return exec(ctx, s.marker)
}

// sessions wraps the node's session opener: the statements of a section
// run on its session (see apply.WithSessions), and are routed there the
// same way.
func (c *routedConn) sessions(o apply.SessionOpener) apply.SessionOpener {
	if o == nil {
		return nil
	}
	return &routedOpener{inner: o, c: c}
}

type routedOpener struct {
	inner apply.SessionOpener
	c     *routedConn
}

var _ apply.SessionOpener = (*routedOpener)(nil)

func (o *routedOpener) OpenSession(ctx context.Context) (apply.Session, error) {
	s, err := o.inner.OpenSession(ctx)
	if err != nil {
		return nil, err
	}
	return &routedSession{Session: s, c: o.c}, nil
}

// routedSession is a section's session on a node of a per-node run.
type routedSession struct {
	apply.Session
	c *routedConn
}

func (s *routedSession) Exec(ctx context.Context, query string, args ...any) error {
	return s.c.route(ctx, query, args, s.Session.Exec)
}
