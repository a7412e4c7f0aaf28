// Command opa is OPA, pinned by this module's go.mod, plus the tool dialect builtins that real policy
// suites call and that designer also gives its regorus engine, so both engines load the same policies:
//
//   - conftest: parse_config(parser, text), parse_config_file(path) and
//     parse_combined_config_files(paths), for YAML and JSON;
//   - Trivy: result.new(msg, cause), the finding object Trivy's checks return.
//
// Everything else is OPA's own command line (cmd.RootCommand), unchanged. designer starts it as
// `opa run --server` with a bundle whose files are renamed; DESIGNER_OPA_SOURCES names a JSON file,
// read at start-up, that maps each bundle file name to the folder of the policy it came from, so that
// parse_config_file resolves a relative path beside the policy, as conftest does.
package main

import (
	"encoding/json"
	"errors"
	"os"

	"github.com/open-policy-agent/opa/cmd"
)

func main() {
	sources, err := readSources(os.Getenv("DESIGNER_OPA_SOURCES"))
	if err != nil {
		os.Stderr.WriteString("error: DESIGNER_OPA_SOURCES: " + err.Error() + "\n")
		os.Exit(2)
	}
	registerConftestBuiltins(sources)
	registerTrivyBuiltins()

	exit := 0
	if err := cmd.RootCommand.Execute(); err != nil {
		if e, ok := errors.AsType[*cmd.ExitError](err); ok {
			exit = e.Exit
		} else {
			exit = 1
		}
	}
	os.Exit(exit)
}

// readSources reads the bundle-file-to-policy-folder map (none when path is empty).
func readSources(path string) (map[string]string, error) {
	sources := map[string]string{}
	if path == "" {
		return sources, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return sources, json.Unmarshal(raw, &sources)
}
