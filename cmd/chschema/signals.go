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
	stderr io.Writer
	// emit, when set, reports a signal as an event of the command's log
	// (a line, a JSON line, or a kept line of the live display) instead
	// of a bare line on stderr.
	emit     atomic.Pointer[func(chschema.Event)]
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
			in.say(signalReceived{Signal: name, Count: 1, Action: fmt.Sprintf("stopping after the running statement (a running INSERT or OPTIMIZE is cancelled on the server), then recording progress and releasing the lock; send %s again to cancel the running statement now", name)})
			in.stopOnce.Do(func() { close(in.stop) })
			return
		}
		in.say(signalReceived{Signal: name, Count: 1, Action: "stopping"})
		in.cancel()
	case n == 2:
		in.say(signalReceived{Signal: name, Count: 2, Action: "cancelling the running statement on the server; progress is still recorded and the lock released (a third signal exits at once)"})
		in.cancel()
	default:
		in.say(signalReceived{Signal: name, Count: int(n), Action: "exiting now; the lock stays until its lease expires (or chschema unlock)"})
		os.Exit(exitCodeFor(sig))
	}
}

// say reports a signal in the command's log, or on stderr.
func (in *interrupts) say(e signalReceived) {
	if emit := in.emit.Load(); emit != nil {
		(*emit)(e)
		return
	}
	fmt.Fprintf(in.stderr, "chschema: %s\n", e)
}

// signalReceived is the event of a signal received: the command's own,
// since the library never sees signals.
type signalReceived struct {
	Signal string `json:"signal"`
	// Count is how many signals have arrived, this one included.
	Count int `json:"count"`
	// Action is what chschema does about it.
	Action string `json:"action"`
}

// Kind implements chschema.Event.
func (e signalReceived) Kind() string { return "signal_received" }

func (e signalReceived) String() string {
	again := ""
	switch e.Count {
	case 1:
	case 2:
		again = " again"
	default:
		again = " a third time"
	}
	return fmt.Sprintf("%s received%s: %s", e.Signal, again, e.Action)
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
