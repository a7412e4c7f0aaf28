// Command opa is OPA, pinned by this module's go.mod, plus the tool dialect builtins that real policy
// suites call and that designer also gives its regorus engine (designer/policy/dialects.py), with the
// same meaning, so both engines load the same policies and answer alike:
//
//   - conftest: parse_config(parser, text), parse_config_file(path) and
//     parse_combined_config_files(paths), for YAML and JSON (designer's loader has already joined a
//     relative path to the policy's folder, as conftest does);
//   - Trivy: result.new(msg, cause), the finding object Trivy's checks return; Trivy's other builtins
//     are declared and fail when called;
//   - no network: net.lookup_ip_addr and http.send fail instead of reaching out, as in designer's
//     regorus engine (policy evaluation stays on this machine).
//
// Everything else is OPA's own command line (cmd.RootCommand), unchanged.
package main

import (
	"errors"
	"os"

	"github.com/open-policy-agent/opa/cmd"
)

func main() {
	registerConftestBuiltins()
	registerTrivyBuiltins()
	disableNetworkBuiltins()

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
