package lint

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema/internal/chtest"
)

func exceptionCode(err error) int32 {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return -1
}

// TestDropWithoutSyncPremise runs the replicated-drop-without-sync cases on
// a loopback cluster node with a keeper: the statements the rule warns about
// fail on the server, because the dropped table still holds its keeper path
// (REPLICA_ALREADY_EXISTS when the new table has the old columns, a columns
// mismatch with the dropped table's metadata when it does not); the same
// statements with SYNC succeed.
func TestDropWithoutSyncPremise(t *testing.T) {
	db := chtest.Cluster(t, 1)
	ctx := context.Background()
	conn := db.Node(1).Conn
	for _, tc := range []struct {
		table, drop, columns string
		codes                []int32 // the server's error; none when empty
	}{
		{"same_columns", "DROP TABLE same_columns", "(x UInt8)", []int32{253}},
		{"new_columns", "DROP TABLE new_columns", "(x UInt8, y UInt8)", []int32{122}},
		{"synced", "DROP TABLE synced SYNC", "(x UInt8, y UInt8)", nil},
	} {
		stmts := []string{"CREATE TABLE " + tc.table + " (x UInt8) ENGINE = " + replicatedEngine, tc.drop,
			"CREATE TABLE " + tc.table + " " + tc.columns + " ENGINE = " + replicatedEngine}
		r, err := Lint(ctx, mapFS(map[string]string{"s/0001_a.sql": up(stmts[0]), "s/0002_b.sql": up(stmts[1:]...)}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		warned := len(warningsOf(r)) > 0
		var lastErr error
		for _, stmt := range stmts {
			if lastErr = conn.Exec(ctx, stmt); lastErr != nil {
				break
			}
		}
		if warned != (tc.codes != nil) {
			t.Errorf("%s: lint warned %v", tc.drop, warned)
		}
		switch {
		case tc.codes == nil && lastErr != nil:
			t.Errorf("%s: the server said %v, want success", tc.drop, lastErr)
		case tc.codes != nil && exceptionCode(lastErr) != tc.codes[0]:
			t.Errorf("%s: the server said %v, want code %d", tc.drop, lastErr, tc.codes[0])
		}
	}
}

// TestDistributedOrderPremise runs the distributed-alter-order cases on a
// server: a Distributed table that has a column its local table lacks fails
// reads and inserts of that column, in both orders the rule warns about,
// and works in the order it accepts. The Distributed table reads the
// one-shard cluster, whose local replica answers (prefer_localhost_replica),
// so no query crosses to another node.
func TestDistributedOrderPremise(t *testing.T) {
	db := chtest.Cluster(t, 1)
	ctx := context.Background()
	conn := db.Node(1).Conn
	exec := func(q string) {
		t.Helper()
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	read := func(q string) error {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	}
	setup := fmt.Sprintf("CREATE TABLE l (x UInt8) ENGINE = MergeTree ORDER BY x;\nCREATE TABLE d AS l ENGINE = Distributed(%s, %s, l);\n", chtest.ReplicatedCluster, db.Name)
	lintWarns := func(stmts ...string) bool {
		head := []string{"CREATE DATABASE IF NOT EXISTS " + db.Name, "USE " + db.Name, setup[:len(setup)-2]}
		r, err := Lint(ctx, mapFS(map[string]string{"0001_a.sql": up(append(head, stmts...)...)}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if errorsOf(r) != nil {
			t.Fatalf("lint errors: %+v", r.Findings)
		}
		return len(warningsOf(r)) > 0
	}
	for _, q := range strings.Split(strings.TrimSpace(setup), "\n") {
		exec(strings.TrimSuffix(q, ";"))
	}
	exec("INSERT INTO l VALUES (1)")

	// ADD on the Distributed table first: the rule warns, the server fails.
	if !lintWarns("ALTER TABLE d ADD COLUMN y UInt8", "ALTER TABLE l ADD COLUMN y UInt8") {
		t.Error("no warning for ADD on the Distributed table first")
	}
	exec("ALTER TABLE d ADD COLUMN y UInt8")
	if err := read("SELECT y FROM d"); err == nil {
		t.Error("reading a column the local table lacks through the Distributed table succeeded")
	}
	insert := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_foreground_insert": 1}))
	if err := conn.Exec(insert, "INSERT INTO d (x, y) VALUES (2, 2)"); err == nil {
		t.Error("inserting a column the local table lacks through the Distributed table succeeded")
	}
	exec("ALTER TABLE l ADD COLUMN y UInt8")
	if err := read("SELECT y FROM d"); err != nil {
		t.Errorf("after the local table got the column: %v", err)
	}

	// DROP on the local table first: the rule warns, the server fails.
	if !lintWarns("ALTER TABLE d ADD COLUMN y UInt8", "ALTER TABLE l ADD COLUMN y UInt8", "ALTER TABLE l DROP COLUMN y", "ALTER TABLE d DROP COLUMN y") {
		t.Error("no warning for DROP on the local table first")
	}
	if lintWarns("ALTER TABLE l ADD COLUMN y UInt8", "ALTER TABLE d ADD COLUMN y UInt8", "ALTER TABLE d DROP COLUMN y", "ALTER TABLE l DROP COLUMN y") {
		t.Error("a warning for the right order")
	}
	exec("ALTER TABLE l DROP COLUMN y")
	if err := read("SELECT * FROM d"); err == nil {
		t.Error("reading through a Distributed table whose local table lost a column succeeded")
	}
	exec("ALTER TABLE d DROP COLUMN y")
	if err := read("SELECT * FROM d"); err != nil {
		t.Errorf("after the Distributed table dropped the column too: %v", err)
	}
}

// TestReplicatedDatabaseRulePremises reads, from the server's own catalog,
// the settings behind create-as-select and on-cluster-in-replicated-database:
// both exist on ClickHouse 26.7 and are off by default, so a Replicated
// database refuses CREATE … AS SELECT and POPULATE, and ON CLUSTER on its
// objects. (This local mode has no Replicated database engine to run them.)
func TestReplicatedDatabaseRulePremises(t *testing.T) {
	db := chtest.New(t)
	for _, name := range []string{"database_replicated_allow_heavy_create", "ignore_on_cluster_for_replicated_database"} {
		var def string
		if err := db.Conn.QueryRow(context.Background(), "SELECT default FROM system.settings WHERE name = ?", name).Scan(&def); err != nil {
			t.Errorf("setting %s: %v", name, err)
			continue
		}
		if def != "0" {
			t.Errorf("setting %s defaults to %s, want 0", name, def)
		}
	}
}
