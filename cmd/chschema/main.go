// Command chschema manages ClickHouse schemas with sequential raw-SQL
// migrations, checksums and drift detection. See the README.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], newEnv()))
}
