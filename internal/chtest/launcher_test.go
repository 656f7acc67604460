package chtest

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestLauncherTwoInstances starts two servers with scripts/clickhouse on
// different ports and paths, checks that both serve queries, that a third on
// a port in use is refused with a clear message, and that stop ends them.
func TestLauncherTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	script, err := launcherScript()
	if err != nil {
		t.Fatal(err)
	}
	type instance struct {
		args []string
		http int
	}
	var instances []instance
	for i := 0; i < 2; i++ {
		tcp, err1 := freePort()
		httpPort, err2 := freePort()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		in := instance{args: []string{"--path", t.TempDir(), "--tcp-port", fmt.Sprint(tcp), "--http-port", fmt.Sprint(httpPort)}, http: httpPort}
		out, err := exec.Command(script, append([]string{"start"}, in.args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("start %d: %v\n%s", i, err, out)
		}
		t.Cleanup(func() { _ = exec.Command(script, append([]string{"stop"}, in.args...)...).Run() })
		instances = append(instances, in)
	}
	for i, in := range instances {
		if v := httpQuery(t, in.http, "SELECT version()"); !strings.HasPrefix(v, "26.") {
			t.Errorf("instance %d: version() = %q, want 26.x", i, v)
		}
	}

	// A port in use is detected and named.
	busy := []string{"--path", t.TempDir(), "--tcp-port", instances[0].args[3], "--http-port", instances[1].args[5]}
	out, err := exec.Command(script, append([]string{"start"}, busy...)...).CombinedOutput()
	if err == nil {
		t.Fatalf("start on a used port succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "port "+instances[0].args[3]+" (tcp) is already in use") {
		t.Errorf("unclear message for a port in use: %s", out)
	}

	for i, in := range instances {
		if out, err := exec.Command(script, append([]string{"stop"}, in.args...)...).CombinedOutput(); err != nil {
			t.Fatalf("stop %d: %v\n%s", i, err, out)
		}
		if err := exec.Command(script, append([]string{"status"}, in.args...)...).Run(); err == nil {
			t.Errorf("instance %d: status says running after stop", i)
		}
	}
}

func httpQuery(t *testing.T, port int, q string) string {
	t.Helper()
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/", port), "text/plain", strings.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s: %s", q, resp.Status, b)
	}
	return strings.TrimSpace(string(b))
}
