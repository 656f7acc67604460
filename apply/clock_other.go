//go:build !linux

package apply

import "time"

var clockStart = time.Now()

// leaseClock is the clock a lease is timed with: the monotonic clock
// (on Linux, CLOCK_BOOTTIME, which also counts a suspended machine's
// sleep).
func leaseClock() time.Duration { return time.Since(clockStart) }
