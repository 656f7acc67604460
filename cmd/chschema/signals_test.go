package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
)

// TestSignalIsALogEvent: a signal is reported in the command's log, so a
// job runner reading JSON lines sees a JSON line (kind signal_received),
// never a bare text line in the middle of them.
func TestSignalIsALogEvent(t *testing.T) {
	var stderr bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &bytes.Buffer{}, Stderr: &stderr}
	env.LogFormat = "json"
	in := &interrupts{stderr: &stderr, cancel: func() {}, stop: make(chan struct{})}
	emit := env.event
	in.emit.Store(&emit)
	in.graceful.Store(true)
	in.receive(syscall.SIGTERM)
	select {
	case <-in.stop:
	default:
		t.Error("the first signal did not ask the run to stop")
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line, got:\n%s", stderr.String())
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &obj); err != nil {
		t.Fatalf("not a JSON line: %v\n%s", err, lines[0])
	}
	if obj["kind"] != "signal_received" || obj["signal"] != "SIGTERM" || obj["level"] != "warn" ||
		!strings.Contains(obj["msg"].(string), "SIGTERM received: stopping after the running statement") {
		t.Errorf("log line %v", obj)
	}
}
