package apply

import (
	"time"

	"golang.org/x/sys/unix"
)

// leaseClock is the clock a lease is timed with: CLOCK_BOOTTIME, which,
// unlike the monotonic clock, also counts the time the machine was
// suspended, so that a holder whose host slept through its lease knows it
// on waking.
func leaseClock() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return time.Since(clockStart) // kernels before 2.6.39
	}
	return time.Duration(ts.Nano())
}

var clockStart = time.Now()
