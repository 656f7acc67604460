package chschema

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// TestRetryable: what --wait waits for (a server that is not up yet) and
// what it reports at once (the server's own answer).
func TestRetryable(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"closed while starting", io.EOF, true},
		{"cut short", fmt.Errorf("handshake: %w", io.ErrUnexpectedEOF), true},
		{"a name not resolving yet", &net.DNSError{Err: "no such host", Name: "clickhouse", IsNotFound: true}, true},
		{"a timeout", context.DeadlineExceeded, true},
		{"too many queries", &clickhouse.Exception{Code: 202, Message: "Too many simultaneous queries"}, true},
		{"authentication failed", &clickhouse.Exception{Code: 516, Message: "default: Authentication failed"}, false},
		{"unknown user", &clickhouse.Exception{Code: 192, Message: "Unknown user"}, false},
		{"unknown database", &clickhouse.Exception{Code: 81, Message: "Database nosuch does not exist"}, false},
		{"not allowed", &clickhouse.Exception{Code: 497, Message: "Not enough privileges"}, false},
		{"TLS on a plain port", errors.New("tls: first record does not look like a TLS handshake"), false},
	} {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("%s: retryable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
