package main

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md from the code")

// TestConfigurationDoc keeps docs/configuration.md what the code says.
func TestConfigurationDoc(t *testing.T) {
	want, err := configurationDoc()
	if err != nil {
		t.Fatal(err)
	}
	const path = "../../docs/configuration.md"
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: run go test ./cmd/patchwork -run TestConfigurationDoc -update", path)
	}
}
