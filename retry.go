package chschema

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// notReadyCodes are the server errors of a server that is overloaded or
// not ready yet: worth waiting for.
var notReadyCodes = map[int32]bool{
	159: true, // TIMEOUT_EXCEEDED
	202: true, // TOO_MANY_SIMULTANEOUS_QUERIES
	209: true, // SOCKET_TIMEOUT
	210: true, // NETWORK_ERROR
}

// retryable reports whether a failure to reach the server is one a server
// that is starting, restarting or not reachable yet gives: connection
// refused or reset, a closed connection, a timeout, a name that does not
// resolve yet (a container not started), or a server error that means
// "not ready". An error the server answers with otherwise (a failed
// login, a database that does not exist, TLS on a plain port) is not: it
// will not go away by waiting.
func retryable(err error) bool {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return notReadyCodes[ex.Code]
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	for _, e := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EHOSTUNREACH,
		syscall.ENETUNREACH, syscall.ETIMEDOUT, syscall.EPIPE} {
		if errors.Is(err, e) {
			return true
		}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// clickhouse-go reports a pool that could not dial as its own error.
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "acquire conn timeout")
}

// serverMessage is err with the server's exception reduced to its code and
// message (no stack trace).
func serverMessage(err error) error {
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		return err
	}
	msg := ex.Message
	if i := strings.Index(msg, "\n"); i >= 0 {
		msg = msg[:i]
	}
	return &serverError{msg: "code " + strconv.Itoa(int(ex.Code)) + ": " + strings.TrimSpace(msg), err: err}
}

type serverError struct {
	msg string
	err error
}

func (e *serverError) Error() string { return e.msg }
func (e *serverError) Unwrap() error { return e.err }
