package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// clusterDir writes a migrations directory of local tables on every node
// and a Distributed table over them, and returns it.
func clusterDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, content)
	}
	return dir
}

const localAndDistributed = `-- +up
CREATE TABLE t_local (x UInt64) ENGINE = MergeTree ORDER BY x;
CREATE TABLE t_dist AS t_local ENGINE = Distributed(chschema_sharded, ${DB}, t_local, x);
-- +down
DROP TABLE t_dist;
DROP TABLE t_local;
`

// nodeRows lists t_local's rows on a node as "x:y", in order.
func nodeRows(t *testing.T, conn driver.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT toString(x) || ':' || toString(y) FROM t_local ORDER BY x")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func nodeStrings(t *testing.T, conn driver.Conn, query string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func nodeColumns(t *testing.T, conn driver.Conn, table string) []string {
	t.Helper()
	return nodeStrings(t, conn, "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ? ORDER BY position", table)
}

func nodeTables(t *testing.T, conn driver.Conn) []string {
	t.Helper()
	return nodeStrings(t, conn, "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name")
}

// chdbAbort is how chDB's server ends when a client connection is reset
// under it (README, Clusters: a caveat of this local mode).
const chdbAbort = "Terminate called for uncaught exception"

// crashedNodes are the nodes that stopped answering, each checked to have
// ended with chDB's abort on a reset connection; any other way to die
// fails the test.
func crashedNodes(t *testing.T, db *chtest.ClusterDB) []int {
	t.Helper()
	var out []int
	for _, n := range db.Nodes {
		if n.Conn.Ping(context.Background()) == nil {
			continue
		}
		log, _ := os.ReadFile(filepath.Join(db.Cluster.Path(), fmt.Sprintf("node%d", n.Index), "clickhouse.log"))
		if !strings.Contains(string(log), chdbAbort) || !strings.Contains(string(log), "Connection reset by peer") {
			t.Fatalf("node %d died, and not with chDB's abort on a reset connection%s", n.Index, db.Cluster.LogTail(n.Index))
		}
		out = append(out, n.Index)
	}
	return out
}

// signalDuringMutation is killDuringMutation with a signal that lets the run
// stop cleanly; it returns the run's exit code and output.
func signalDuringMutation(t *testing.T, bin string, args []string, sig os.Signal) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	sent := false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		var line struct{ Kind, Msg string }
		if !sent && json.Unmarshal(sc.Bytes(), &line) == nil && line.Kind == "mutation_waiting" && strings.Contains(line.Msg, "svc/0002") {
			_ = cmd.Process.Signal(sig)
			sent = true
		}
	}
	_ = cmd.Wait()
	if !sent {
		t.Fatalf("the run never waited for svc/0002's mutation:\n%s", seen.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), seen.String()
}

// killDuringMutation runs the migrate and kills it with SIGKILL once some
// node waits for the mutation of svc/0002's third statement, which runs on
// every node (the lockstep released it on all together, and it returns at
// once; the mutation takes about 2 s). It returns the log up to the kill.
func killDuringMutation(t *testing.T, bin string, args []string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := make(chan string, 1)
	go func() {
		var seen strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen.WriteString(sc.Text() + "\n")
			var line struct{ Kind, Msg string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Kind == "mutation_waiting" && strings.Contains(line.Msg, "svc/0002") {
				time.Sleep(300 * time.Millisecond)
				_ = cmd.Process.Kill()
				killed <- seen.String()
				_, _ = io.Copy(io.Discard, stderr)
				return
			}
		}
		killed <- seen.String()
	}()
	var log string
	select {
	case log = <-killed:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the run never waited for svc/0002's mutation")
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != -1 {
		t.Fatalf("the run ended (exit %d) before it was killed:\n%s", code, log)
	}
	return log
}

// TestPerNodeKill9 kills the built binary with SIGKILL in the middle of a
// per-node migrate, while every node waits for a mutation its last
// statement started, and runs it again: each node resumes from its own
// history and query log, waits for the mutation, and in the end every node
// holds every column and each inserted row and update exactly once.
//
// chDB's server sometimes aborts when the killed client's connections are
// reset (measured: about one run in five on a loaded machine; README,
// Clusters). When a node ends that way, the state of the run is that of a
// client and a server crash together, which this test does not claim to
// resume: the node is started again, the database made afresh on every
// node, and the run tried again, up to four times.
func TestPerNodeKill9(t *testing.T) {
	db := chtest.Cluster(t, 3)
	bin := sharedBinary(t)
	dir := clusterDir(t, map[string]string{
		"svc/0001_local.sql": localAndDistributed,
		"svc/0002_data.sql": `-- +up
ALTER TABLE t_local ADD COLUMN y UInt8 DEFAULT 7;
INSERT INTO t_local (x) VALUES (1), (2), (3), (4);
ALTER TABLE t_local UPDATE y = y + 1 + sleepEachRow(0.5) WHERE 1;
INSERT INTO t_local (x, y) VALUES (5, 0);
ALTER TABLE t_dist ADD COLUMN y UInt8 DEFAULT 7;
-- +down
ALTER TABLE t_dist DROP COLUMN y;
ALTER TABLE t_local DROP COLUMN y;
`,
	})
	args := []string{"migrate", "--dir", dir, "--var", "DB=" + db.Name, "--dsn", db.Node(1).DSN,
		"--cluster", chtest.ShardedCluster, "--per-node", "--lock-lease", "4s", "--log-format", "json"}
	ctx := context.Background()
	var log string
	for attempt := 1; ; attempt++ {
		log = killDuringMutation(t, bin, args)
		time.Sleep(time.Second)
		crashed := crashedNodes(t, db)
		if len(crashed) == 0 {
			break
		}
		if attempt == 4 {
			t.Fatalf("chDB aborted on a reset connection in 4 runs out of 4 (nodes %v this time)", crashed)
		}
		t.Logf("attempt %d: chDB aborted on nodes %v when the client was killed; starting them again and trying afresh", attempt, crashed)
		for _, i := range crashed {
			db.Start(i)
		}
		for _, n := range db.Nodes {
			admin := n.Node.Connect(t, "")
			if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS `"+db.Name+"` SYNC"); err != nil {
				t.Fatal(err)
			}
			if err := admin.Exec(ctx, "CREATE DATABASE `"+db.Name+"`"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range db.Nodes {
		if got, want := nodeRows(t, n.Conn), []string{"1:8", "2:8", "3:8", "4:8"}; !cmp.Equal(got, want) && !cmp.Equal(got, []string{"1:7", "2:7", "3:7", "4:7"}) {
			t.Errorf("node %d after the kill: rows %v, want %v (or the update still under way)\n%s", n.Index, got, want, log)
		}
		if got := nodeColumns(t, n.Conn, "t_dist"); !cmp.Equal(got, []string{"x"}) {
			t.Errorf("node %d after the kill: t_dist columns %v, want [x]", n.Index, got)
		}
	}

	r := runBinary(t, bin, dir, nil, args[:len(args)-2]...)
	if r.code != 0 {
		t.Fatalf("the run after the kill: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range db.Nodes {
		if want := fmt.Sprintf("node %d (127.0.0.1:%s): resumed svc/0002 after 3 completed statements (from the query log)", n.Index, portOf(n.Node.DSN)); !strings.Contains(r.stdout, want) {
			t.Errorf("the rerun's report lacks %q:\n%s", want, r.stdout)
		}
		if got, want := nodeRows(t, n.Conn), []string{"1:8", "2:8", "3:8", "4:8", "5:0"}; !cmp.Equal(got, want) {
			t.Errorf("node %d: rows %v, want %v: each INSERT and the UPDATE exactly once", n.Index, got, want)
		}
		if got := nodeColumns(t, n.Conn, "t_dist"); !cmp.Equal(got, []string{"x", "y"}) {
			t.Errorf("node %d: t_dist columns %v, want [x y]", n.Index, got)
		}
		if got := nodeStrings(t, n.Conn, "SELECT toString(is_done) FROM system.mutations WHERE database = currentDatabase() AND table = 't_local'"); !cmp.Equal(got, []string{"1"}) {
			t.Errorf("node %d: mutations of t_local (is_done) %v, want one, done", n.Index, got)
		}
		st := runBinary(t, bin, dir, nil, "status", "--dir", dir, "--var", "DB="+db.Name, "--dsn", n.DSN, "--exit-code")
		if st.code != 0 {
			t.Errorf("node %d: status --exit-code = %d, want every migration applied in its own history:\n%s", n.Index, st.code, st.stdout)
		}
	}
	d := runBinary(t, bin, dir, nil, "diff", "--dir", dir, "--var", "DB="+db.Name, "--dsn", db.Node(1).DSN, "--cluster", chtest.ShardedCluster, "--no-cache")
	if d.code != 0 || !strings.Contains(d.stdout, "== nodes 1, 2 and 3 (") || !strings.Contains(d.stdout, "no drift on nodes 1, 2 and 3") {
		t.Errorf("diff --cluster after the rerun: exit %d\n%s\n%s", d.code, d.stdout, d.stderr)
	}
}

// TestPerNodeSignal sends SIGINT to a per-node migrate while every node
// waits for a mutation: every node stops at its next statement boundary,
// records where, and releases its lock; the run exits 130; the next run
// resumes each node from its own history.
func TestPerNodeSignal(t *testing.T) {
	db := chtest.Cluster(t, 3)
	bin := sharedBinary(t)
	dir := clusterDir(t, map[string]string{
		"svc/0001_local.sql": localAndDistributed,
		"svc/0002_data.sql": `-- +up
ALTER TABLE t_local ADD COLUMN y UInt8 DEFAULT 7;
INSERT INTO t_local (x) VALUES (1), (2), (3), (4);
ALTER TABLE t_local UPDATE y = y + 1 + sleepEachRow(0.5) WHERE 1;
INSERT INTO t_local (x, y) VALUES (5, 0);
-- +down
ALTER TABLE t_local DROP COLUMN y;
`,
	})
	args := []string{"migrate", "--dir", dir, "--var", "DB=" + db.Name, "--dsn", db.Node(1).DSN,
		"--cluster", chtest.ShardedCluster, "--per-node", "--log-format", "json"}
	code, _, log := signalDuringMutation(t, bin, args, syscall.SIGINT)
	if code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130\n%s", code, log)
	}
	for _, n := range db.Nodes {
		st := runBinary(t, bin, dir, nil, "status", "--dir", dir, "--var", "DB="+db.Name, "--dsn", n.DSN)
		if !strings.Contains(st.stdout, "incomplete  3/4 statements done") || !strings.Contains(st.stdout, "stopped while waiting for the mutation of svc/0002 statement 3") {
			t.Errorf("node %d after SIGINT: status\n%s", n.Index, st.stdout)
		}
		if got := nodeTables(t, n.Conn); slicesContain(got, "chschema_migrations_lock") {
			t.Errorf("node %d: the lock is still there after a clean stop: %v", n.Index, got)
		}
	}
	r := runBinary(t, bin, dir, nil, args[:len(args)-2]...)
	if r.code != 0 {
		t.Fatalf("the run after SIGINT: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range db.Nodes {
		if want := fmt.Sprintf("node %d (127.0.0.1:%s): resumed svc/0002 after 3 completed statements (from the history)", n.Index, portOf(n.Node.DSN)); !strings.Contains(r.stdout, want) {
			t.Errorf("the rerun's report lacks %q:\n%s", want, r.stdout)
		}
		if got, want := nodeRows(t, n.Conn), []string{"1:8", "2:8", "3:8", "4:8", "5:0"}; !cmp.Equal(got, want) {
			t.Errorf("node %d: rows %v, want %v", n.Index, got, want)
		}
	}
}

func slicesContain(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// TestPerNodeNodeDown stops a node: migrate --per-node refuses before it
// changes anything on any node, naming the node; diff --cluster compares
// the nodes it reaches and reports the other as unreachable (exit 2, in
// text and JSON); with the node back, migrate applies everywhere.
func TestPerNodeNodeDown(t *testing.T) {
	db := chtest.Cluster(t, 3)
	bin := sharedBinary(t)
	dir := clusterDir(t, map[string]string{"svc/0001_local.sql": localAndDistributed})
	base := []string{"--dir", dir, "--var", "DB=" + db.Name, "--dsn", db.Node(1).DSN, "--cluster", chtest.ShardedCluster}
	migrate := append([]string{"migrate", "--per-node"}, base...)
	diffArgs := append([]string{"diff", "--no-cache"}, base...)

	db.Stop(3)
	down := db.Node(3).Node
	r := runBinary(t, bin, dir, nil, migrate...)
	if r.code != 2 || !strings.Contains(r.stderr, fmt.Sprintf("node 3 (127.0.0.1:%s) unreachable", portOf(down.DSN))) || !strings.Contains(r.stderr, "nothing was changed on any node") {
		t.Errorf("migrate with node 3 down: exit %d, want 2 naming node 3\n%s", r.code, r.stderr)
	}
	for _, i := range []int{1, 2} {
		if got := nodeTables(t, db.Node(i).Conn); len(got) != 0 {
			t.Errorf("node %d after the refusal: tables %v, want none", i, got)
		}
	}
	r = runBinary(t, bin, dir, nil, diffArgs...)
	if r.code != 2 || !strings.Contains(r.stdout, "== nodes 1 and 2 (") || !strings.Contains(r.stdout, "== node 3 (127.0.0.1:"+portOf(down.DSN)+"): not compared ==") ||
		!strings.Contains(r.stdout, "node 3 not compared (unreachable or unreadable)") {
		t.Errorf("diff --cluster with node 3 down: exit %d, want 2 with nodes 1 and 2 compared and node 3 reported\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, bin, dir, nil, append(diffArgs, "--format", "json")...)
	var doc struct {
		Nodes []struct {
			Node  int
			Drift *bool
			Error string
		}
		Groups []struct{ Nodes []int }
		Error  struct {
			Message  string
			ExitCode int `json:"exit_code"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("diff --cluster --format json: %v\n%s", err, r.stdout)
	}
	if r.code != 2 || doc.Error.ExitCode != 2 || len(doc.Nodes) != 3 || !strings.Contains(doc.Nodes[2].Error, "unreachable") || doc.Nodes[2].Drift != nil ||
		doc.Nodes[0].Drift == nil || len(doc.Groups) != 1 || !cmp.Equal(doc.Groups[0].Nodes, []int{1, 2}) {
		t.Errorf("diff --cluster --format json with node 3 down: exit %d\n%s", r.code, r.stdout)
	}

	db.Start(3)
	r = runBinary(t, bin, dir, nil, migrate...)
	if r.code != 0 {
		t.Fatalf("migrate with every node up: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, n := range db.Nodes {
		if got, want := nodeTables(t, n.Conn), []string{"chschema_migrations", "t_dist", "t_local"}; !cmp.Equal(got, want) {
			t.Errorf("node %d: tables %v, want %v", n.Index, got, want)
		}
	}
}

// portOf is the port of a DSN.
func portOf(dsn string) string {
	host := strings.SplitN(strings.TrimPrefix(dsn, "clickhouse://"), "/", 2)[0]
	return host[strings.LastIndex(host, ":")+1:]
}

// TestDiffClusterFormats: drift on one node, in the three formats: text
// groups the nodes, GitHub annotations name them, JSON lists them.
func TestDiffClusterFormats(t *testing.T) {
	db := chtest.Cluster(t, 3)
	bin := sharedBinary(t)
	dir := clusterDir(t, map[string]string{"svc/0001_local.sql": localAndDistributed})
	base := []string{"--dir", dir, "--var", "DB=" + db.Name, "--dsn", db.Node(1).DSN, "--cluster", chtest.ShardedCluster}
	if r := runBinary(t, bin, dir, nil, append([]string{"migrate", "--per-node"}, base...)...); r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s", r.code, r.stderr)
	}
	if err := db.Node(2).Conn.Exec(context.Background(), "ALTER TABLE t_local ADD COLUMN extra UInt8"); err != nil {
		t.Fatal(err)
	}
	diffArgs := append([]string{"diff", "--no-cache"}, base...)
	r := runBinary(t, bin, dir, nil, diffArgs...)
	for _, want := range []string{"== nodes 1 and 3 (", "== node 2 (", "+++ live (node 2)", "  table t_local: modified", "+ `extra` UInt8", "drift on node 2; no drift on nodes 1 and 3"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 1 {
		t.Errorf("text: exit %d, want 1", r.code)
	}
	r = runBinary(t, bin, dir, nil, append(diffArgs, "--format", "github")...)
	// Placed on the statement that created t_local (line 2 of svc/0001),
	// named from the working directory, which is the migrations root here.
	want := fmt.Sprintf("::error file=svc/0001_local.sql,line=2,col=1,title=drift on node 2::node 2: table %s.t_local modified: column `extra`: found `extra` UInt8\n", db.Name)
	if r.code != 1 || r.stdout != want {
		t.Errorf("github: exit %d\n%s\nwant\n%s", r.code, r.stdout, want)
	}
	r = runBinary(t, bin, dir, nil, append(diffArgs, "--format", "json")...)
	var doc struct {
		Drift  bool
		Groups []struct {
			Nodes   []int
			Drift   bool
			Changes []struct{ Object, Change string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || !doc.Drift || len(doc.Groups) != 2 || !cmp.Equal(doc.Groups[0].Nodes, []int{1, 3}) || doc.Groups[0].Drift ||
		!cmp.Equal(doc.Groups[1].Nodes, []int{2}) || len(doc.Groups[1].Changes) != 1 || doc.Groups[1].Changes[0].Change != "AddColumn" {
		t.Errorf("json: exit %d\n%s", r.code, r.stdout)
	}
	// The same drift refuses migrate --per-node, naming node 2.
	r = runBinary(t, bin, dir, nil, append([]string{"migrate", "--per-node"}, base...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "== node 2 (") || !strings.Contains(r.stderr, "drift on node 2 of cluster") {
		t.Errorf("migrate over node 2's drift: exit %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, bin, dir, nil, "migrate", "--per-node", "--dir", dir, "--dsn", db.Node(1).DSN)
	if r.code != 2 || !strings.Contains(r.stderr, "--per-node needs --cluster") {
		t.Errorf("--per-node without --cluster: exit %d\n%s", r.code, r.stderr)
	}
}
