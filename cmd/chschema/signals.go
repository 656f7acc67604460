package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
)

// interrupts is chschema's answer to SIGINT and SIGTERM (Ctrl-C, a
// Kubernetes pod stop). During migrate and down, the first signal asks the
// run to stop cleanly (chschema.StopOn): a running schema statement
// finishes, a running INSERT or OPTIMIZE is cancelled on the server, the
// progress is recorded and the lock released; the second cancels the
// running statement at once (and still records and releases); a third
// exits at once. Other commands stop at the first signal. The exit code
// after a signal is 128 + its number: 130 for SIGINT, 143 for SIGTERM.
type interrupts struct {
	stderr   io.Writer
	cancel   context.CancelFunc
	stop     chan struct{}
	stopOnce sync.Once
	// graceful is set while a command runs that stops cleanly on StopOn.
	graceful atomic.Bool
	// first is the first signal received, or nil.
	first atomic.Value
	count atomic.Int32
}

// notifyInterrupts installs the handler and returns the context that the
// second signal (or, outside migrate and down, the first) cancels.
func notifyInterrupts(ctx context.Context, stderr io.Writer) (context.Context, *interrupts) {
	ctx, cancel := context.WithCancel(ctx)
	in := &interrupts{stderr: stderr, cancel: cancel, stop: make(chan struct{})}
	ch := make(chan os.Signal, 3)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for sig := range ch {
			in.receive(sig)
		}
	}()
	return ctx, in
}

func (in *interrupts) receive(sig os.Signal) {
	n := in.count.Add(1)
	name := signalName(sig)
	switch {
	case n == 1:
		in.first.Store(sig)
		if in.graceful.Load() {
			fmt.Fprintf(in.stderr, "chschema: %s received: stopping after the running statement (a running INSERT or OPTIMIZE is cancelled on the server), then recording progress and releasing the lock; send %s again to cancel the running statement now\n", name, name)
			in.stopOnce.Do(func() { close(in.stop) })
			return
		}
		fmt.Fprintf(in.stderr, "chschema: %s received: stopping\n", name)
		in.cancel()
	case n == 2:
		fmt.Fprintf(in.stderr, "chschema: %s received again: cancelling the running statement on the server; progress is still recorded and the lock released (a third signal exits at once)\n", name)
		in.cancel()
	default:
		fmt.Fprintf(in.stderr, "chschema: %s received a third time: exiting now; the lock stays until its lease expires (or chschema unlock)\n", name)
		os.Exit(exitCodeFor(sig))
	}
}

// stopOptions are the run options of a command that stops cleanly on the
// first signal: StopOn, when the process handles signals.
func (env *Env) stopOptions() []chschema.RunOption {
	in := env.interrupts
	if in == nil {
		return nil
	}
	in.graceful.Store(true)
	if in.first.Load() != nil {
		// A signal came before the run began: stop at once.
		in.stopOnce.Do(func() { close(in.stop) })
	}
	return []chschema.RunOption{chschema.StopOn(in.stop)}
}

// signalled returns the first signal received, or nil.
func (env *Env) signalled() os.Signal {
	if env.interrupts == nil {
		return nil
	}
	sig, _ := env.interrupts.first.Load().(os.Signal)
	return sig
}

// interruptedCode is the exit code of a command that a signal stopped:
// 128 + the signal's number, when err is the stop's doing.
func (env *Env) interruptedCode(err error) (int, bool) {
	sig := env.signalled()
	if sig == nil || !(errors.Is(err, apply.ErrInterrupted) || errors.Is(err, context.Canceled)) {
		return 0, false
	}
	return exitCodeFor(sig), true
}

func exitCodeFor(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitError
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}
