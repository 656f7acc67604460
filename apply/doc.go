// Package apply runs migration plans against a server: history, lock,
// resume, down and baseline.
package apply
