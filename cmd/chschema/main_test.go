package main

import (
	"os"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }
