// Package diff compares two schema models and returns typed changes. It
// holds no connection and does no I/O.
package diff
