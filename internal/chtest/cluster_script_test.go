package chtest

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestClusterScript drives scripts/clickhouse cluster the way a developer
// does: start two nodes, read their DSNs and HTTP ports, stop one node while
// the other runs, start it again, refuse a second cluster on ports in use
// and a node that does not exist, and stop everything.
func TestClusterScript(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	script, err := launcherScript()
	if err != nil {
		t.Fatal(err)
	}
	tcp, err1 := freePortRange(3)
	httpBase, err2 := freePortRange(2)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		out, err := exec.Command(script, append([]string{"cluster"}, append(args, "--path", dir)...)...).CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("cluster %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(out)
	}
	must("start", "2", "--keeper", "none", "--tcp-port", strconv.Itoa(tcp), "--http-port", strconv.Itoa(httpBase))
	t.Cleanup(func() { _, _ = run("stop") })

	dsns := fmt.Sprintf("clickhouse://default@127.0.0.1:%d/default,clickhouse://default@127.0.0.1:%d/default", tcp, tcp+1)
	if got := must("dsns"); got != dsns {
		t.Errorf("dsns = %q, want %q", got, dsns)
	}
	if got := must("dsn", "2"); got != strings.Split(dsns, ",")[1] {
		t.Errorf("dsn 2 = %q", got)
	}
	if got := must("http", "2"); got != strconv.Itoa(httpBase+1) {
		t.Errorf("http 2 = %q, want %d", got, httpBase+1)
	}
	for i := 0; i < 2; i++ {
		if v := httpQuery(t, httpBase+i, "SELECT version()"); !strings.HasPrefix(v, "26.") {
			t.Errorf("node %d: version() = %q", i+1, v)
		}
	}
	if out, err := run("dsn", "3"); err == nil || !strings.Contains(out, "no node 3") {
		t.Errorf("dsn 3 of a 2-node cluster: %v\n%s", err, out)
	}
	if out, err := run("start", "2"); err == nil || !strings.Contains(out, "already runs") {
		t.Errorf("a second start on a running cluster: %v\n%s", err, out)
	}
	other := t.TempDir()
	out, err := exec.Command(script, "cluster", "start", "2", "--keeper", "none", "--path", other,
		"--tcp-port", strconv.Itoa(tcp+1), "--http-port", strconv.Itoa(httpBase+5)).CombinedOutput()
	if err == nil {
		_ = exec.Command(script, "cluster", "stop", "--path", other).Run()
		t.Fatalf("a cluster on ports in use started:\n%s", out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("port %d (tcp, node 1) is already in use", tcp+1)) {
		t.Errorf("unclear message for a port in use: %s", out)
	}

	must("stop", "2")
	status, err := run("status")
	if err == nil || !strings.Contains(status, "node 1: running") || !strings.Contains(status, "node 2: not running") {
		t.Errorf("status with node 2 down: %v\n%s", err, status)
	}
	if v := httpQuery(t, httpBase, "SELECT 1"); v != "1" {
		t.Errorf("node 1 after node 2 stopped: %q", v)
	}
	must("start-node", "2")
	if out := must("status"); strings.Contains(out, "not running") {
		t.Errorf("status after start-node:\n%s", out)
	}
	if out := must("stop", "--kill"); strings.Count(out, "killed node") != 2 {
		t.Errorf("stop --kill:\n%s", out)
	}
	if out, err := run("status"); err == nil || strings.Count(out, "not running") != 2 {
		t.Errorf("status after stop: %v\n%s", err, out)
	}
}
